using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrleansSync.Bench.Hosting;
using OrleansSync.Bench.RealTime;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Testing;
using OrleansSync.Sandbox;
using OrleansSync.Sandbox.HubSpot;

namespace OrleansSync.Bench.Product;

/// <summary>
/// The product under load, with the sandbox standing in for HubSpot and QuickBooks and seeded with the tenants' portals
/// and companies (<c>Sandbox:ExtraTenants</c>). The sandbox's HubSpot CRM reports every deal property it stores to
/// <see cref="Writes"/>, the moment it stores it. Everything runs in the bench process, on loopback.
/// </summary>
internal abstract class BenchProduct : IAsyncDisposable
{
    public const string AdminKey = "bench-admin-key-0123456789";
    public const string QuickBooksVerifierToken = "sandbox-quickbooks-verifier-token";
    public const string HubSpotClientSecret = "sandbox-hubspot-client-secret";

    /// <summary>How the product runs, for the tables.</summary>
    public abstract string Mode { get; }

    /// <summary>Where the api is: webhooks, OAuth callbacks, the tenant API.</summary>
    public abstract Uri Api { get; }

    /// <summary>Where the sandbox is.</summary>
    public abstract Uri Sandbox { get; }

    public BenchLog Log { get; } = new();

    public DealWrites Writes { get; } = new();

    public abstract ValueTask DisposeAsync();

    /// <summary>The services of the product's hosts (not the sandbox's), for what they count.</summary>
    protected abstract IEnumerable<IServiceProvider> ProductServices { get; }

    /// <summary>
    /// The requests the product's clients have let through to HubSpot for a portal and to QuickBooks for a company so
    /// far, all hosts together: the clients hold each account's limits themselves (HubSpot 110 per 10 s, QuickBooks 500
    /// per minute and 10 per second), so this is what each account's budget was spent on.
    /// </summary>
    public (long HubSpot, long QuickBooks) UpstreamRequests(BenchTenant tenant)
    {
        long hubSpot = 0, quickBooks = 0;
        foreach (var services in ProductServices)
        {
            hubSpot += services.GetService<Clients.HubSpot.HubSpotRateLimits>()?.Statistics(tenant.PortalId, search: false)?.TotalSuccessfulLeases ?? 0;
            quickBooks += services.GetService<QuickBooksRateLimits>()?.Statistics(tenant.RealmId)?.TotalSuccessfulLeases ?? 0;
        }

        return (hubSpot, quickBooks);
    }

    /// <summary>
    /// Starts one of the product's hosts with the bench's logging: <see cref="Log"/> keeps warnings and errors and drops
    /// the rest (a line per invoice change would cost more than the work), and a host gets 10 s to stop.
    /// </summary>
    private Task<RunningApp> StartHostAsync(Func<string[], Action<WebApplicationBuilder>?, WebApplication> create, IEnumerable<string> args, Action<WebApplicationBuilder>? configure = null)
        => RunningApp.StartAsync(create, args, builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddProvider(Log);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
            configure?.Invoke(builder);
        });

    /// <summary>Events waiting in the inbox, all partitions, and those dead-lettered (the operator API's backlog).</summary>
    public async Task<(long Pending, long Dead)> InboxBacklogAsync()
    {
        using var api = new HttpClient { BaseAddress = Api };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var backlog = await api.GetFromJsonAsync<JsonElement>("api/inbox/backlog");
        return (backlog.EnumerateArray().Sum(p => p.GetProperty("pending").GetInt64()), backlog.EnumerateArray().Sum(p => p.GetProperty("dead").GetInt64()));
    }

    /// <summary>
    /// The single-process default (<c>dotnet run --project silo</c>): one silo owning every partition, the api and the
    /// sandbox in one process, state, reminders and inbox in memory; the sandbox's webhooks come back to this process.
    /// </summary>
    /// <param name="settings">Further settings for the product's hosts (<c>--Inbox:MaxConcurrentPartitions=64</c>).</param>
    public static async Task<BenchProduct> StartSingleProcessAsync(int tenants, IReadOnlyList<string> settings)
    {
        var product = new SingleProcess();
        product.Silo = await product.StartHostAsync(
            Silo.Program.CreateApp,
            [$"--Api:AdminKeys:0={AdminKey}", "--Sandbox:DemoTenant=false", $"--Sandbox:ExtraTenants={tenants - 1}", .. settings],
            builder => builder.Services.AddSingleton<ICrmChangeObserver>(product.Writes));
        return product;
    }

    /// <summary>
    /// The durable mode as docker-compose runs it: <paramref name="silos"/> silos and an api node on one PostgreSQL (its
    /// defaults: every commit flushed), and the sandbox running apart; both services' webhooks go to the api node.
    /// </summary>
    /// <param name="settings">Further settings for the product's hosts (<c>--Inbox:MaxConcurrentPartitions=64</c>).</param>
    public static async Task<BenchProduct> StartClusterAsync(int tenants, int silos, IReadOnlyList<string> settings)
    {
        var product = new Cluster();
        try
        {
            product.SandboxApp = await product.StartHostAsync(
                OrleansSync.Sandbox.Program.CreateApp,
                [$"--Sandbox:ExtraTenants={tenants - 1}"],
                builder => builder.Services.AddSingleton<ICrmChangeObserver>(product.Writes));
            product.Postgres = await ThrowawayPostgres.StartAsync(durable: true);
            var database = new NpgsqlConnectionStringBuilder(await product.Postgres.CreateDatabaseAsync()) { MaxPoolSize = 100 }.ConnectionString;
            var quickBooks = new Uri(product.Sandbox, "sandbox/quickbooks/");
            var hubSpot = new Uri(product.Sandbox, "sandbox/hubspot/");
            string[] node =
            [
                $"--Api:AdminKeys:0={AdminKey}",
                $"--ConnectionStrings:Postgres={database}",
                "--Cluster:ClusterSecret=bench-cluster-secret-0123456789",
                "--Sandbox:Enabled=false",
                $"--QuickBooks:BaseUrl={quickBooks}",
                $"--QuickBooks:AuthorizationEndpoint={quickBooks}connect/oauth2",
                $"--QuickBooks:TokenEndpoint={quickBooks}oauth2/v1/tokens/bearer",
                $"--QuickBooks:RevocationEndpoint={quickBooks}v2/oauth2/tokens/revoke",
                "--QuickBooks:ClientId=sandbox-quickbooks-client-id",
                "--QuickBooks:ClientSecret=sandbox-quickbooks-client-secret",
                $"--QuickBooks:WebhookVerifierToken={QuickBooksVerifierToken}",
                $"--HubSpot:BaseUrl={hubSpot}",
                $"--HubSpot:AuthorizationEndpoint={hubSpot}oauth/authorize",
                $"--HubSpot:TokenEndpoint={hubSpot}oauth/v1/token",
                "--HubSpot:ClientId=sandbox-hubspot-client-id",
                $"--HubSpot:ClientSecret={HubSpotClientSecret}",
                .. settings,
            ];
            for (var i = 0; i < silos; i++)
                product.Silos.Add(await product.StartHostAsync(Silo.Program.CreateApp, node));
            product.ApiNode = await product.StartHostAsync(OrleansSync.Api.Program.CreateApp, node);

            var webhooks = product.SandboxApp.Services.GetRequiredService<SandboxOptions>();
            webhooks.QuickBooks.WebhookUrl = new Uri(product.Api, "webhooks/quickbooks");
            webhooks.HubSpot.WebhookUrl = new Uri(product.Api, "webhooks/hubspot");
            await product.WaitUntilBalancedAsync(TimeSpan.FromSeconds(60));
            return product;
        }
        catch
        {
            await product.DisposeAsync();
            throw;
        }
    }

    private sealed class SingleProcess : BenchProduct
    {
        public RunningApp? Silo { get; set; }

        public override string Mode => "single process, in memory";

        public override Uri Api => Silo!.Address;

        public override Uri Sandbox => Silo!.Address;

        protected override IEnumerable<IServiceProvider> ProductServices => [Silo!.Services];

        public override async ValueTask DisposeAsync()
        {
            if (Silo is not null)
                await Silo.DisposeAsync();
        }
    }

    private sealed class Cluster : BenchProduct
    {
        public RunningApp? SandboxApp { get; set; }

        public ThrowawayPostgres? Postgres { get; set; }

        public List<RunningApp> Silos { get; } = [];

        public RunningApp? ApiNode { get; set; }

        public override string Mode => $"{Silos.Count} silos + api node on PostgreSQL (durable), sandbox apart";

        public override Uri Api => ApiNode!.Address;

        public override Uri Sandbox => SandboxApp!.Address;

        protected override IEnumerable<IServiceProvider> ProductServices => [.. Silos.Select(s => s.Services), ApiNode!.Services];

        /// <summary>Each silo holds about its share of the partitions, and together they hold all.</summary>
        public async Task WaitUntilBalancedAsync(TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var owned = Silos.Select(s => s.Services.GetRequiredService<LocalPartitionTable>().OwnedPartitions()).ToList();
                var partitions = Silos[0].Services.GetRequiredService<LocalPartitionTable>().PartitionCount;
                var fairShare = (partitions + Silos.Count - 1) / Silos.Count;
                if (owned.SelectMany(p => p).Distinct().Count() == partitions && owned.All(p => p.Count <= fairShare))
                    return;
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"The silos did not share the partitions within {timeout}: they own {string.Join(", ", owned.Select(p => p.Count))}.");
                await Task.Delay(100);
            }
        }

        public override async ValueTask DisposeAsync()
        {
            if (ApiNode is not null)
                await ApiNode.DisposeAsync();
            foreach (var silo in Silos)
                await silo.DisposeAsync();
            if (SandboxApp is not null)
                await SandboxApp.DisposeAsync();
            if (Postgres is not null)
                await Postgres.DisposeAsync();
        }
    }
}
