using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSync.Clients;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Tests.Infrastructure;

/// <summary>
/// The sandbox running in the test process, and our clients pointed at it, connected through the real OAuth flows
/// (consent URL → code → tokens) to the demo QuickBooks companies and the demo HubSpot account.
/// </summary>
public sealed class SandboxClients : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private SandboxClients(RunningApp sandbox, ServiceProvider services)
    {
        Sandbox = sandbox;
        _services = services;
    }

    public RunningApp Sandbox { get; }

    public QuickBooksClient QuickBooks => _services.GetRequiredService<QuickBooksClient>();

    public QuickBooksOAuthClient QuickBooksOAuth => _services.GetRequiredService<QuickBooksOAuthClient>();

    public SandboxQuickBooksTokens QuickBooksTokens => _services.GetRequiredService<SandboxQuickBooksTokens>();

    public HubSpotClient HubSpot => _services.GetRequiredService<HubSpotClient>();

    public HubSpotOAuthClient HubSpotOAuth => _services.GetRequiredService<HubSpotOAuthClient>();

    public SandboxHubSpotTokens HubSpotTokens => _services.GetRequiredService<SandboxHubSpotTokens>();

    /// <summary>Responses each client saw, by status, retries included.</summary>
    public ResponseCounts QuickBooksResponses => _services.GetRequiredKeyedService<ResponseCounts>(nameof(QuickBooksClient));

    public ResponseCounts HubSpotResponses => _services.GetRequiredKeyedService<ResponseCounts>(nameof(HubSpotClient));

    public HttpClient QuickBooksAdmin() => new() { BaseAddress = new Uri(Sandbox.Address, "sandbox/quickbooks/admin/") };

    public HttpClient HubSpotAdmin() => new() { BaseAddress = new Uri(Sandbox.Address, "sandbox/hubspot/admin/") };

    public HttpClient SandboxAdmin() => new() { BaseAddress = new Uri(Sandbox.Address, "sandbox/admin/") };

    public static async Task<SandboxClients> StartAsync(IEnumerable<string>? sandboxArgs = null, IDictionary<string, string?>? clientSettings = null, Action<WebApplicationBuilder>? configureSandbox = null)
    {
        var sandbox = await RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, sandboxArgs ?? [], configureSandbox);
        var quickBooks = new Uri(sandbox.Address, "sandbox/quickbooks/");
        var hubSpot = new Uri(sandbox.Address, "sandbox/hubspot/");
        var settings = new Dictionary<string, string?>
        {
            ["QuickBooks:BaseUrl"] = quickBooks.ToString(),
            ["QuickBooks:AuthorizationEndpoint"] = new Uri(quickBooks, "connect/oauth2").ToString(),
            ["QuickBooks:TokenEndpoint"] = new Uri(quickBooks, "oauth2/v1/tokens/bearer").ToString(),
            ["QuickBooks:RevocationEndpoint"] = new Uri(quickBooks, "v2/oauth2/tokens/revoke").ToString(),
            ["QuickBooks:ClientId"] = "sandbox-quickbooks-client-id",
            ["QuickBooks:ClientSecret"] = "sandbox-quickbooks-client-secret",
            ["HubSpot:BaseUrl"] = hubSpot.ToString(),
            ["HubSpot:AuthorizationEndpoint"] = new Uri(hubSpot, "oauth/authorize").ToString(),
            ["HubSpot:TokenEndpoint"] = new Uri(hubSpot, "oauth/v1/token").ToString(),
            ["HubSpot:ClientId"] = "sandbox-hubspot-client-id",
            ["HubSpot:ClientSecret"] = "sandbox-hubspot-client-secret",
        };
        foreach (var (key, value) in clientSettings ?? new Dictionary<string, string?>())
            settings[key] = value;

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<SandboxQuickBooksTokens>();
        services.AddSingleton<IQuickBooksTokenSource>(sp => sp.GetRequiredService<SandboxQuickBooksTokens>());
        services.AddSingleton<SandboxHubSpotTokens>();
        services.AddSingleton<IHubSpotTokenSource>(sp => sp.GetRequiredService<SandboxHubSpotTokens>());
        services.AddQuickBooksClient(configuration);
        services.AddHubSpotClient(configuration);
        foreach (var client in new[] { nameof(QuickBooksClient), nameof(HubSpotClient) })
        {
            services.AddKeyedSingleton<ResponseCounts>(client);
            services.AddHttpClient(client).AddHttpMessageHandler(sp => new CountingHandler(sp.GetRequiredKeyedService<ResponseCounts>(client)));
        }

        var clients = new SandboxClients(sandbox, services.BuildServiceProvider());
        await clients.QuickBooksTokens.ConnectAsync(DemoData.UsRealmId);
        await clients.QuickBooksTokens.ConnectAsync(DemoData.UkRealmId);
        await clients.HubSpotTokens.InstallAsync(DemoData.PortalId);
        return clients;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Sandbox.DisposeAsync();
    }

    /// <summary>Follows a consent URL without following its redirect, and answers the query it redirects with.</summary>
    internal static async Task<Dictionary<string, Microsoft.Extensions.Primitives.StringValues>> ConsentAsync(Uri consent)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var answer = await http.GetAsync(consent);
        var location = answer.Headers.Location ?? throw new InvalidOperationException($"The consent page answered {(int)answer.StatusCode}, not a redirect.");
        return QueryHelpers.ParseQuery(location.Query);
    }

    private sealed class CountingHandler(ResponseCounts counts) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            counts.Add(response.StatusCode);
            return response;
        }
    }
}

public sealed class ResponseCounts
{
    private readonly ConcurrentDictionary<HttpStatusCode, int> _counts = new();

    public int this[HttpStatusCode status] => _counts.GetValueOrDefault(status);

    public void Add(HttpStatusCode status) => _counts.AddOrUpdate(status, 1, (_, n) => n + 1);
}

/// <summary>
/// Tokens per company or account, as the account and tenant grains will keep them: a 401 refreshes them once — the
/// first caller refreshes, the others take its result — and refreshes are counted.
/// </summary>
public sealed class RefreshingTokens<TKey, TTokens>(Func<TTokens, string> accessToken, Func<TTokens, CancellationToken, Task<TTokens>> refresh)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TTokens> _tokens = new();
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private int _refreshes;

    public int Refreshes => Volatile.Read(ref _refreshes);

    public TTokens this[TKey key]
    {
        get => _tokens[key];
        set => _tokens[key] = value;
    }

    public ValueTask<string> AccessTokenAsync(TKey key) => ValueTask.FromResult(accessToken(_tokens[key]));

    public async ValueTask<string> RefreshAsync(TKey key, string rejectedToken, CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var current = _tokens[key];
            if (accessToken(current) != rejectedToken)
                return accessToken(current);
            _tokens[key] = await refresh(current, cancellationToken);
            Interlocked.Increment(ref _refreshes);
            return accessToken(_tokens[key]);
        }
        finally
        {
            _refreshing.Release();
        }
    }
}

/// <summary>QuickBooks tokens per company, got by connecting through OAuth.</summary>
public sealed class SandboxQuickBooksTokens(QuickBooksOAuthClient oauth) : IQuickBooksTokenSource
{
    private static readonly Uri Redirect = new("https://app.example/oauth/quickbooks/callback");
    private readonly RefreshingTokens<string, QuickBooksTokens> _tokens = new(t => t.AccessToken, (t, ct) => oauth.RefreshAsync(t.RefreshToken, ct));

    public int Refreshes => _tokens.Refreshes;

    public QuickBooksTokens TokensOf(string realmId) => _tokens[realmId];

    public async Task ConnectAsync(string realmId)
    {
        var query = await SandboxClients.ConsentAsync(new Uri(oauth.BuildAuthorizationUrl(Redirect, "state-1") + $"&realmId={realmId}"));
        if (query["realmId"] != realmId || query["state"] != "state-1")
            throw new InvalidOperationException("The consent redirect named another company or state.");
        _tokens[realmId] = await oauth.ExchangeCodeAsync(query["code"]!, Redirect);
    }

    public ValueTask<string> GetAccessTokenAsync(string realmId, CancellationToken cancellationToken) => _tokens.AccessTokenAsync(realmId);

    public ValueTask<string> RefreshAccessTokenAsync(string realmId, string rejectedToken, CancellationToken cancellationToken) => _tokens.RefreshAsync(realmId, rejectedToken, cancellationToken);
}

/// <summary>HubSpot tokens per account, got by installing the app through OAuth.</summary>
public sealed class SandboxHubSpotTokens(HubSpotOAuthClient oauth) : IHubSpotTokenSource
{
    private static readonly Uri Redirect = new("https://app.example/oauth/hubspot/callback");
    private readonly RefreshingTokens<long, HubSpotTokens> _tokens = new(t => t.AccessToken, (t, ct) => oauth.RefreshAsync(t.RefreshToken, ct));

    public int Refreshes => _tokens.Refreshes;

    public HubSpotTokens TokensOf(long portalId) => _tokens[portalId];

    public async Task InstallAsync(long portalId)
    {
        var query = await SandboxClients.ConsentAsync(new Uri(oauth.BuildAuthorizationUrl(Redirect, "state-2", ["crm.objects.deals.read", "crm.objects.deals.write"]) + $"&portalId={portalId}"));
        if (query["state"] != "state-2")
            throw new InvalidOperationException("The install redirect carried another state.");
        _tokens[portalId] = await oauth.ExchangeCodeAsync(query["code"]!, Redirect);
    }

    public ValueTask<string> GetAccessTokenAsync(long portalId, CancellationToken cancellationToken) => _tokens.AccessTokenAsync(portalId);

    public ValueTask<string> RefreshAccessTokenAsync(long portalId, string rejectedToken, CancellationToken cancellationToken) => _tokens.RefreshAsync(portalId, rejectedToken, cancellationToken);
}
