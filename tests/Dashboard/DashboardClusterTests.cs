using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Hosting;
using OrleansSync.Tests.EndToEnd;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSync.Tests.Dashboard;

/// <summary>
/// The dashboard of three silos on PostgreSQL (and an api node), served by any of them: every silo with its stats, the
/// partition map whole, and grain calls and activations gathered from the silos that served them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DashboardClusterTests(ClusterProduct product, ITestOutputHelper output) : IClassFixture<ClusterProduct>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Any_silo_shows_all_three_silos_and_a_partition_map_covering_every_partition()
    {
        await SharedOutAsync();
        foreach (var silo in product.Silos)
        {
            using var dashboard = Dashboard(silo);
            var overview = await Eventually.ValueAsync(
                () => DashboardProduct.GetJsonAsync(dashboard, "overview"),
                o => o.GetProperty("silos").EnumerateArray().All(s => s.GetProperty("problem").ValueKind == JsonValueKind.Null && s.GetProperty("cpuPercent").ValueKind == JsonValueKind.Number),
                Patience,
                "every silo answered with its stats, CPU sampled");

            Assert.Equal("cluster", overview.GetProperty("mode").GetString());
            Assert.False(overview.GetProperty("devMode").GetBoolean());
            var silos = overview.GetProperty("silos").EnumerateArray().ToList();
            Assert.Equal(3, silos.Count);
            Assert.All(silos, s => Assert.Equal("Active", s.GetProperty("status").GetString()));
            Assert.All(silos, s => Assert.True(s.GetProperty("memoryBytes").GetInt64() > 0));
            Assert.Equal(silo.Address, new Uri(silos.Single(s => s.GetProperty("self").GetBoolean()).GetProperty("address").GetString()!));
            Assert.Equal(256, silos.Sum(s => s.GetProperty("partitionsOwned").GetInt32()));

            var owners = overview.GetProperty("partitionOwners").EnumerateArray().Select(o => o.GetString()).ToList();
            Assert.Equal(256, owners.Count);
            Assert.All(owners, o => Assert.NotNull(o));
            Assert.Equal(silos.Select(s => s.GetProperty("siloId").GetString()).Order(), owners.Distinct().Order());
            foreach (var row in silos)
                Assert.Equal(row.GetProperty("partitionsOwned").GetInt32(), owners.Count(o => o == row.GetProperty("siloId").GetString()));
        }
    }

    [Fact]
    public async Task Grain_calls_and_activations_are_gathered_from_every_silo_that_served_them()
    {
        await SharedOutAsync();
        using var dashboard = Dashboard(product.Silos[0]);
        await DashboardProduct.GetJsonAsync(dashboard, "grains"); // someone watches: every silo collects from now on

        // Tenants that installed nothing, spread over the partitions and so over the silos: each call reaches the tenant
        // grain on the silo owning its partition, through the api node.
        using var api = new HttpClient { BaseAddress = product.Api };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Product.AdminKey);
        var portals = Enumerable.Range(0, 30).Select(i => 9_100_000L + i).ToList();
        foreach (var portalId in portals)
            Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"api/tenants/{portalId}")).StatusCode);

        var overview = await Eventually.ValueAsync(
            () => DashboardProduct.GetJsonAsync(dashboard, "overview"),
            o => o.GetProperty("activationsByType").EnumerateArray().Any(t => t.GetProperty("grainType").GetString() == "tenant" && t.GetProperty("total").GetInt32() >= portals.Count),
            Patience,
            "the tenant grains' activations are counted");
        var tenants = overview.GetProperty("activationsByType").EnumerateArray().Single(t => t.GetProperty("grainType").GetString() == "tenant");
        var bySilo = tenants.GetProperty("bySilo").EnumerateObject().ToList();
        Assert.True(bySilo.Count >= 2, $"tenant grains live on {bySilo.Count} silo(s)");
        Assert.Equal(tenants.GetProperty("total").GetInt32(), bySilo.Sum(s => s.Value.GetInt32()));

        var grains = await Eventually.ValueAsync(
            () => DashboardProduct.GetJsonAsync(dashboard, "grains?seconds=60"),
            g => TenantCalls(g) >= portals.Count,
            Patience,
            "the calls of every silo are counted");
        var tenantType = grains.GetProperty("types").EnumerateArray().Single(t => t.GetProperty("grainType").GetString() == "tenant");
        Assert.True(tenantType.GetProperty("p99Ms").GetDouble() > 0);
        Assert.True(grains.GetProperty("seconds").EnumerateArray().Sum(s => s.GetProperty("calls").GetInt64()) >= portals.Count);

        // Each silo's own count, read as the dashboard reads it, adds up to the cluster's.
        using var secret = new HttpClient();
        secret.DefaultRequestHeaders.Add("X-OrleansSync-Cluster-Secret", "e2e-cluster-secret");
        var perSilo = new List<long>();
        foreach (var silo in product.Silos)
        {
            var stats = await Product.OkJsonAsync(await secret.GetAsync(new Uri(silo.Address, "internal/silo/stats?seconds=60")));
            perSilo.Add(stats.GetProperty("calls").GetProperty("methods").EnumerateArray().Where(m => m.GetProperty("grainType").GetString() == "tenant").Sum(m => m.GetProperty("calls").GetInt64()));
        }

        Assert.True(perSilo.Count(c => c > 0) >= 2, $"tenant calls per silo: {string.Join(", ", perSilo)}");
        Assert.True(perSilo.Sum() >= portals.Count);
    }

    [Fact]
    public async Task A_silos_stats_are_for_the_cluster_only_and_the_tenant_budgets_come_from_its_owner()
    {
        using var stranger = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync(new Uri(product.Silos[1].Address, InternalGrainEndpoints.StatsPath.TrimStart('/')))).StatusCode);

        using var api = product.AdminApi();
        await Product.OkJsonAsync(await api.PostAsync($"accounts/{Product.Us}/resync", null));
        using var dashboard = Dashboard(product.Silos[2]);
        var tenant = (await DashboardProduct.GetJsonAsync(dashboard, "tenants")).EnumerateArray().Single(t => t.GetProperty("portalId").GetInt64() == Product.PortalId);
        Assert.Null(tenant.GetProperty("problem").GetString());
        var us = tenant.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("realmId").GetString() == Product.Us);
        Assert.True(us.GetProperty("quickBooksBudget").GetProperty("usedLastMinute").GetInt32() >= 1, "the resync's requests are counted on the silo owning the tenant");
        Assert.Equal(500, us.GetProperty("quickBooksBudget").GetProperty("perMinute").GetInt32());
    }

    [Fact]
    public async Task The_log_view_gathers_every_silos_entries_and_a_silos_history_comes_from_that_silo()
    {
        await SharedOutAsync();
        using var dashboard = Dashboard(product.Silos[0]);
        var start = await DashboardProduct.GetJsonAsync(dashboard, "logs"); // every silo is asked, and so watched, from now on
        var siloIds = product.Silos.Select(s => s.Services.GetRequiredService<SiloIdentity>().SiloId).ToList();
        Assert.Equal(siloIds.Order(), start.GetProperty("cursor").GetString()!.Split(',').Select(p => p[..p.LastIndexOf(':')]).Order());

        var marker = $"marker-{Guid.NewGuid():N}";
        for (var i = 1; i < product.Silos.Count; i++)
            product.Silos[i].Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansSync.Tests.LogView").LogWarning("{Marker} from silo {Index}", marker, i);

        var cursor = Uri.EscapeDataString(start.GetProperty("cursor").GetString()!);
        var logs = await DashboardProduct.GetJsonAsync(dashboard, $"logs?after={cursor}&q={marker}");
        var entries = logs.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal([$"{marker} from silo 1", $"{marker} from silo 2"], entries.Select(e => e.GetProperty("message").GetString()).Order());
        Assert.Equal(new[] { siloIds[1], siloIds[2] }.Order(), entries.Select(e => e.GetProperty("siloId").GetString()).Order());
        Assert.Empty(logs.GetProperty("problems").EnumerateArray());

        // One silo's entries only, read through another.
        var one = await DashboardProduct.GetJsonAsync(dashboard, $"logs?q={marker}&silo={siloIds[2]}");
        Assert.Equal([siloIds[2]], one.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("siloId").GetString()));

        var history = await Eventually.ValueAsync(
            () => DashboardProduct.GetJsonAsync(dashboard, $"silos/{siloIds[1]}/history"),
            h => h.GetProperty("samples").GetArrayLength() >= 2,
            Patience,
            "the other silo samples itself while someone watches");
        Assert.Equal(siloIds[1], history.GetProperty("siloId").GetString());
        Assert.All(history.GetProperty("samples").EnumerateArray(), s => Assert.True(s.GetProperty("memoryBytes").GetInt64() > 0));

        using var stranger = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync(new Uri(product.Silos[1].Address, InternalGrainEndpoints.LogsPath.TrimStart('/')))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync(new Uri(product.Silos[1].Address, InternalGrainEndpoints.HistoryPath.TrimStart('/')))).StatusCode);
    }

    public void Dispose()
    {
        foreach (var line in product.Logs.Lines)
            output.WriteLine(line);
    }

    /// <summary>The silos have shared the partitions out: each holds some (a third, give or take a round).</summary>
    private Task SharedOutAsync() => Eventually.HoldsAsync(
        () => product.Silos.All(s => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OrleansSync.Runtime.Cluster.LocalPartitionTable>(s.Services).OwnedPartitions().Count >= 64),
        Patience,
        "the three silos share the partitions");

    private static long TenantCalls(JsonElement grains)
        => grains.GetProperty("types").EnumerateArray().Where(t => t.GetProperty("grainType").GetString() == "tenant")
            .Sum(t => t.GetProperty("methods").EnumerateArray().Sum(m => (long)Math.Round(m.GetProperty("callsPerSecond").GetDouble() * 60)));

    private static HttpClient Dashboard(RunningApp silo)
    {
        var client = new HttpClient { BaseAddress = new Uri(silo.Address, "dashboard/api/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Product.AdminKey);
        return client;
    }
}
