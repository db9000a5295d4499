using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Metrics;
using OrleansSync.Tests.EndToEnd;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Dashboard;

/// <summary>
/// The dashboard's log view (<c>api/logs</c>) and silo history (<c>api/silos/{id}/history</c>) in the single-process
/// default: the silo's log entries while someone watches, filtered and paged after a cursor, and a sample a second of
/// CPU, memory, activations and calls.
/// </summary>
public sealed class DashboardLogAndHistoryTests(DashboardProduct product) : IClassFixture<DashboardProduct>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly HttpClient _dashboard = product.Dashboard();

    [Fact]
    public async Task Log_entries_are_filtered_by_level_and_text_and_read_after_the_previous_answers_cursor()
    {
        var start = await DashboardProduct.GetJsonAsync(_dashboard, "logs"); // someone watches from now on
        var siloId = product.Services.GetRequiredService<SiloIdentity>().SiloId;
        var marker = $"marker-{Guid.NewGuid():N}";
        var logger = product.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansSync.Tests.LogView");
        logger.LogWarning("{Marker} one: deal 53001 could not be written", marker);
        logger.LogError(new InvalidOperationException("HubSpot answered 500"), "{Marker} two: the outbox gave up", marker);

        var cursor = Uri.EscapeDataString(start.GetProperty("cursor").GetString()!);
        var both = await DashboardProduct.GetJsonAsync(_dashboard, $"logs?after={cursor}&q={marker}");
        var entries = both.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal([$"{marker} one: deal 53001 could not be written", $"{marker} two: the outbox gave up"], entries.Select(e => e.GetProperty("message").GetString()));
        Assert.Equal(["Warning", "Error"], entries.Select(e => e.GetProperty("level").GetString()));
        Assert.All(entries, e => Assert.Equal(siloId, e.GetProperty("siloId").GetString()));
        Assert.All(entries, e => Assert.Equal("OrleansSync.Tests.LogView", e.GetProperty("category").GetString()));
        Assert.Equal(entries[0].GetProperty("sequence").GetInt64() + 1, entries[1].GetProperty("sequence").GetInt64());
        Assert.Equal("System.InvalidOperationException: HubSpot answered 500", entries[1].GetProperty("exception").GetString());
        Assert.Equal(JsonValueKind.Null, entries[0].GetProperty("exception").ValueKind);
        Assert.Equal(0, both.GetProperty("skipped").GetInt64());
        Assert.Empty(both.GetProperty("problems").EnumerateArray());
        Assert.Equal(JsonValueKind.String, both.GetProperty("collectingSince").ValueKind);

        var errors = await DashboardProduct.GetJsonAsync(_dashboard, $"logs?after={cursor}&q={marker}&level=error");
        Assert.Equal([$"{marker} two: the outbox gave up"], Messages(errors));
        Assert.Equal([$"{marker} one: deal 53001 could not be written"], Messages(await DashboardProduct.GetJsonAsync(_dashboard, $"logs?after={cursor}&q={Uri.EscapeDataString("DEAL 53001")}")));

        // Asked again after this answer's cursor: only what is new.
        var next = Uri.EscapeDataString(both.GetProperty("cursor").GetString()!);
        Assert.StartsWith($"{siloId}:", both.GetProperty("cursor").GetString(), StringComparison.Ordinal);
        Assert.Empty(Messages(await DashboardProduct.GetJsonAsync(_dashboard, $"logs?after={next}&q={marker}")));
        logger.LogCritical("{Marker} three", marker);
        Assert.Equal([$"{marker} three"], Messages(await DashboardProduct.GetJsonAsync(_dashboard, $"logs?after={next}&q={marker}")));

        // Without a cursor: the newest that match, as many as asked for.
        Assert.Equal([$"{marker} two: the outbox gave up", $"{marker} three"], Messages(await DashboardProduct.GetJsonAsync(_dashboard, $"logs?q={marker}&take=2")));
        Assert.Equal([$"{marker} three"], Messages(await DashboardProduct.GetJsonAsync(_dashboard, $"logs?q={marker}&silo={siloId}&level=Critical")));
    }

    [Theory]
    [InlineData("after=nonsense")]
    [InlineData("after=silo-a:-1")]
    [InlineData("after=silo-a:1,silo-a:2")]
    [InlineData("level=Verbose")]
    [InlineData("level=None")]
    [InlineData("level=4")]
    [InlineData("take=0")]
    [InlineData("take=5000")]
    [InlineData("silo=no-such-silo")]
    public async Task Bad_log_parameters_are_refused_with_problem_details(string query)
    {
        var response = await _dashboard.GetAsync($"logs?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Search_text_is_limited_to_200_characters()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await _dashboard.GetAsync($"logs?q={new string('x', 201)}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _dashboard.GetAsync($"logs?q={new string('x', 200)}")).StatusCode);
    }

    [Fact]
    public async Task A_silos_history_has_a_sample_a_second_of_cpu_memory_activations_and_calls_while_someone_watches()
    {
        var siloId = (await DashboardProduct.GetJsonAsync(_dashboard, "overview")).GetProperty("silos")[0].GetProperty("siloId").GetString()!;
        using var api = product.AdminApi();
        await api.GetAsync(""); // a grain call or two

        var history = await Eventually.ValueAsync(
            () => DashboardProduct.GetJsonAsync(_dashboard, $"silos/{siloId}/history"),
            h => h.GetProperty("samples").GetArrayLength() >= 3,
            Patience,
            "three samples, a second apart");

        Assert.Equal(siloId, history.GetProperty("siloId").GetString());
        Assert.Equal(1, history.GetProperty("sampleIntervalSeconds").GetDouble());
        Assert.Equal(300, history.GetProperty("windowSeconds").GetDouble());
        var samples = history.GetProperty("samples").EnumerateArray().ToList();
        var times = samples.Select(s => s.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.Order(), times);
        Assert.All(samples, s => Assert.True(s.GetProperty("memoryBytes").GetInt64() > 0 && s.GetProperty("gcHeapBytes").GetInt64() > 0));
        Assert.All(samples, s => Assert.True(s.GetProperty("activations").GetInt32() > 0, "the demo tenant's grains are active"));
        Assert.All(samples, s => Assert.True(s.GetProperty("callsPerSecond").GetDouble() >= 0));
        Assert.Contains(samples, s => s.GetProperty("cpuPercent").ValueKind == JsonValueKind.Number);

        var missing = await _dashboard.GetAsync("silos/no-such-silo/history");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_silo_keeps_log_entries_only_while_someone_watches()
    {
        // A silo of its own whose watch lapses a second after the last look.
        await using var silo = await RunningApp.StartAsync(
            Silo.Program.CreateApp,
            ["--Api:AdminKeys:0=" + Product.AdminKey, "--Sandbox:DemoTenant=false", "--Dashboard:WatchWindow=00:00:01"],
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        using var dashboard = new HttpClient { BaseAddress = new Uri(silo.Address, "dashboard/api/") };
        dashboard.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Product.AdminKey);
        var watch = silo.Services.GetRequiredService<DashboardWatch>();
        var logger = silo.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansSync.Tests.LogView");
        var marker = $"marker-{Guid.NewGuid():N}";

        Assert.False(watch.IsOn);
        logger.LogWarning("{Marker} before anyone looked", marker);
        Assert.Empty(Messages(await DashboardProduct.GetJsonAsync(dashboard, $"logs?q={marker}")));
        logger.LogWarning("{Marker} while someone looks", marker);
        Assert.Equal([$"{marker} while someone looks"], Messages(await DashboardProduct.GetJsonAsync(dashboard, $"logs?q={marker}")));

        await Eventually.HoldsAsync(() => !watch.IsOn, Patience, "the watch lapses a second after the last look");
        logger.LogWarning("{Marker} after everyone left", marker);
        Assert.Equal([$"{marker} while someone looks"], Messages(await DashboardProduct.GetJsonAsync(dashboard, $"logs?q={marker}")));
    }

    public void Dispose() => _dashboard.Dispose();

    private static List<string?> Messages(JsonElement logs) => [.. logs.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("message").GetString())];
}
