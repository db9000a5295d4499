using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Hosting;
using OrleansSync.Sandbox.Common;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.EndToEnd;

/// <summary>
/// The product as a user runs it, with the sandbox standing in for HubSpot and QuickBooks: the demo portal installed
/// and both demo companies connected through the real OAuth redirects. Tests talk to it over HTTP only.
/// </summary>
public abstract class Product : IAsyncLifetime
{
    public const string AdminKey = "e2e-admin-key-0123456789";
    public const long PortalId = DemoData.PortalId;
    public const string TenantKey = "e2e-tenant-key-7262481-abcdef";
    public const long OtherPortalId = 1234567;
    public const string OtherTenantKey = "e2e-tenant-key-1234567-abcdef";
    public const string Us = DemoData.UsRealmId;
    public const string Uk = DemoData.UkRealmId;

    /// <summary>How often each company resyncs in these tests: a missed webhook is repaired within it.</summary>
    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(30);

    /// <summary>The keys every node is started with, and a resync period tests can wait for.</summary>
    protected static readonly string[] KeyArgs =
    [
        $"--Api:AdminKeys:0={AdminKey}",
        $"--Api:TenantKeys:{PortalId}:0={TenantKey}",
        $"--Api:TenantKeys:{OtherPortalId}:0={OtherTenantKey}",
        $"--Sync:ResyncInterval={ResyncInterval}",
        "--Reminders:MinimumPeriod=00:00:10",
    ];

    /// <summary>Where users reach the api (and the OAuth callbacks).</summary>
    public abstract Uri Api { get; }

    /// <summary>Where the sandbox is, for acting as people do in HubSpot and QuickBooks.</summary>
    public abstract Uri Sandbox { get; }

    public abstract SandboxClock Clock { get; }

    /// <summary>Warnings and errors the nodes logged, newest last, for a failing test to show.</summary>
    public RecentLogs Logs { get; } = new();

    public HubSpotRecords HubSpot => new(Sandbox);

    public QuickBooksCompanies QuickBooks => new(Sandbox);

    public HttpClient AdminApi() => ApiClient(AdminKey);

    public HttpClient ApiClient(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(Api, $"api/tenants/{PortalId}/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public async Task InitializeAsync()
    {
        await StartAsync();
        await InstallAsync();
        await ConnectAsync(Us);
        await ConnectAsync(Uk);
    }

    public abstract Task DisposeAsync();

    protected abstract Task StartAsync();

    /// <summary>Installs the app for the demo portal, as a HubSpot user does: install link, consent, callback.</summary>
    public async Task<JsonElement> InstallAsync()
    {
        using var browser = Browser();
        var consent = await RedirectAsync(browser, new Uri(Api, "oauth/hubspot/install"));
        var callback = await RedirectAsync(browser, new Uri($"{consent}&portalId={PortalId}"));
        return await OkJsonAsync(await browser.GetAsync(callback));
    }

    /// <summary>Connects a demo company, as a user does: the link the api hands out, Intuit's consent, the callback.</summary>
    public async Task<JsonElement> ConnectAsync(string realmId)
    {
        using var api = AdminApi();
        var start = await OkJsonAsync(await api.PostAsync("accounts/quickbooks/connect", null));
        using var browser = Browser();
        var callback = await RedirectAsync(browser, new Uri($"{start.GetProperty("authorizationUrl").GetString()}&realmId={realmId}"));
        return await OkJsonAsync(await browser.GetAsync(callback));
    }

    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>Settings every node gets so that loopback calls between them are quick to give up on a dead one.</summary>
    protected void Configure(WebApplicationBuilder builder)
    {
        builder.Logging.AddProvider(Logs);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
    }

    private static HttpClient Browser() => new(new HttpClientHandler { AllowAutoRedirect = false });

    private static async Task<Uri> RedirectAsync(HttpClient browser, Uri from)
    {
        using var response = await browser.GetAsync(from);
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther, $"{from} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location : new Uri(from, response.Headers.Location);
    }
}

/// <summary>One process: the silo with the api and the sandbox mounted — <c>dotnet run --project silo</c>.</summary>
public sealed class SingleProcessProduct : Product
{
    private RunningApp? _silo;

    public override Uri Api => _silo!.Address;

    public override Uri Sandbox => _silo!.Address;

    public override SandboxClock Clock => _silo!.Services.GetRequiredService<SandboxClock>();

    protected override async Task StartAsync()
        => _silo = await RunningApp.StartAsync(Silo.Program.CreateApp, [.. KeyArgs, "--Sandbox:DemoTenant=false"], Configure); // installs as a user would, below

    public override async Task DisposeAsync()
    {
        if (_silo is not null)
            await _silo.DisposeAsync();
    }
}

/// <summary>
/// Three silos and an api node over one PostgreSQL database, and the sandbox running apart, as in docker-compose. The
/// silos' grain clock is the sandbox's, as it would be were they in one process with it.
/// </summary>
public sealed class ClusterProduct : Product
{
    private readonly List<RunningApp> _silos = [];
    private RunningApp? _sandbox;
    private RunningApp? _api;

    public override Uri Api => _api!.Address;

    public override Uri Sandbox => _sandbox!.Address;

    public override SandboxClock Clock => _sandbox!.Services.GetRequiredService<SandboxClock>();

    public IReadOnlyList<RunningApp> Silos => _silos;

    /// <summary>The database the nodes share.</summary>
    public string Database { get; private set; } = "";

    protected override async Task StartAsync()
    {
        _sandbox = await RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, [], Configure);
        var database = Database = await PostgresServer.CreateDatabaseAsync();
        var quickBooks = new Uri(Sandbox, "sandbox/quickbooks/");
        var hubSpot = new Uri(Sandbox, "sandbox/hubspot/");
        string[] node =
        [
            .. KeyArgs,
            $"--ConnectionStrings:Postgres={database}",
            "--Cluster:ClusterSecret=e2e-cluster-secret",
            "--Sandbox:Enabled=false",
            $"--QuickBooks:BaseUrl={quickBooks}",
            $"--QuickBooks:AuthorizationEndpoint={quickBooks}connect/oauth2",
            $"--QuickBooks:TokenEndpoint={quickBooks}oauth2/v1/tokens/bearer",
            $"--QuickBooks:RevocationEndpoint={quickBooks}v2/oauth2/tokens/revoke",
            "--QuickBooks:ClientId=sandbox-quickbooks-client-id",
            "--QuickBooks:ClientSecret=sandbox-quickbooks-client-secret",
            $"--HubSpot:BaseUrl={hubSpot}",
            $"--HubSpot:AuthorizationEndpoint={hubSpot}oauth/authorize",
            $"--HubSpot:TokenEndpoint={hubSpot}oauth/v1/token",
            "--HubSpot:ClientId=sandbox-hubspot-client-id",
            "--HubSpot:ClientSecret=sandbox-hubspot-client-secret",
            "--QuickBooks:WebhookVerifierToken=sandbox-quickbooks-verifier-token",
        ];

        var silos = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => RunningApp.StartAsync(Silo.Program.CreateApp, node, builder =>
        {
            Configure(builder);
            builder.Services.AddKeyedSingleton<TimeProvider>(GrainClock.Key, Clock);
        })));
        _silos.AddRange(silos);
        _api = await RunningApp.StartAsync(OrleansSync.Api.Program.CreateApp, node, Configure);

        // Both services' webhooks go to the api node, as they would to a load balancer in front of api nodes.
        var webhooks = _sandbox.Services.GetRequiredService<OrleansSync.Sandbox.SandboxOptions>();
        webhooks.QuickBooks.WebhookUrl = new Uri(Api, "webhooks/quickbooks");
        webhooks.HubSpot.WebhookUrl = new Uri(Api, "webhooks/hubspot");
        await Eventually.HoldsAsync(
            () => _silos.Sum(s => s.Services.GetRequiredService<OrleansSync.Runtime.Cluster.LocalPartitionTable>().OwnedPartitions().Count) == 256,
            TimeSpan.FromSeconds(30),
            "the silos own every partition");
    }

    /// <summary>Kills the silo serving the demo tenant, as if its process died; its partitions move when their leases expire.</summary>
    public async Task<RunningApp> KillTenantOwnerAsync()
    {
        var partition = _silos[0].Services.GetRequiredService<TenantPartitioner>().GetPartition(PortalId.ToString(CultureInfo.InvariantCulture));
        var owner = _silos.Single(s => !s.Services.GetRequiredService<SiloControl>().IsKilled && s.Services.GetRequiredService<OrleansSync.Runtime.Cluster.LocalPartitionTable>().OwnedPartitions().Contains(partition));
        await owner.KillAsync();
        return owner;
    }

    public override async Task DisposeAsync()
    {
        if (_api is not null)
            await _api.DisposeAsync();
        foreach (var silo in _silos)
            await silo.DisposeAsync();
        if (_sandbox is not null)
            await _sandbox.DisposeAsync();
    }
}

/// <summary>Keeps the last warnings and errors nodes logged.</summary>
public sealed class RecentLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > 200)
            _lines.TryDequeue(out _);
    }

    private sealed class Logger(RecentLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => logs.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : $" — {exception.GetType().Name}: {exception.Message}")}");
    }
}
