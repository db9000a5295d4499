using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSync.Clients;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Tests.Infrastructure;

/// <summary>
/// The sandbox running in the test process, and our QuickBooks client pointed at it, connected to the demo companies
/// through the real OAuth flow (consent URL → code → tokens).
/// </summary>
public sealed class SandboxQuickBooks : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private SandboxQuickBooks(RunningApp sandbox, ServiceProvider services, ConcurrentDictionary<HttpStatusCode, int> responses)
    {
        Sandbox = sandbox;
        _services = services;
        Responses = responses;
    }

    public RunningApp Sandbox { get; }

    public QuickBooksClient Client => _services.GetRequiredService<QuickBooksClient>();

    public QuickBooksOAuthClient OAuth => _services.GetRequiredService<QuickBooksOAuthClient>();

    public SandboxTokenSource Tokens => _services.GetRequiredService<SandboxTokenSource>();

    /// <summary>Responses the client saw, by status (retries included).</summary>
    public ConcurrentDictionary<HttpStatusCode, int> Responses { get; }

    public Uri QuickBooksBase => new(Sandbox.Address, "sandbox/quickbooks/");

    public HttpClient Admin() => new() { BaseAddress = new Uri(QuickBooksBase, "admin/") };

    public static async Task<SandboxQuickBooks> StartAsync(IEnumerable<string>? sandboxArgs = null, IDictionary<string, string?>? clientSettings = null, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configureSandbox = null)
    {
        var sandbox = await RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, sandboxArgs ?? [], configureSandbox);
        var baseUrl = new Uri(sandbox.Address, "sandbox/quickbooks/");
        var settings = new Dictionary<string, string?>
        {
            ["QuickBooks:BaseUrl"] = baseUrl.ToString(),
            ["QuickBooks:AuthorizationEndpoint"] = new Uri(baseUrl, "connect/oauth2").ToString(),
            ["QuickBooks:TokenEndpoint"] = new Uri(baseUrl, "oauth2/v1/tokens/bearer").ToString(),
            ["QuickBooks:RevocationEndpoint"] = new Uri(baseUrl, "v2/oauth2/tokens/revoke").ToString(),
            ["QuickBooks:ClientId"] = "sandbox-quickbooks-client-id",
            ["QuickBooks:ClientSecret"] = "sandbox-quickbooks-client-secret",
        };
        foreach (var (key, value) in clientSettings ?? new Dictionary<string, string?>())
            settings[key] = value;

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<SandboxTokenSource>();
        services.AddSingleton<IQuickBooksTokenSource>(sp => sp.GetRequiredService<SandboxTokenSource>());
        services.AddQuickBooksClient(configuration);
        var responses = new ConcurrentDictionary<HttpStatusCode, int>();
        services.AddTransient(_ => new CountingHandler(responses));
        services.AddHttpClient(nameof(QuickBooksClient)).AddHttpMessageHandler<CountingHandler>();
        var connected = new SandboxQuickBooks(sandbox, services.BuildServiceProvider(), responses);
        await connected.Tokens.ConnectAsync(connected, DemoData.UsRealmId);
        await connected.Tokens.ConnectAsync(connected, DemoData.UkRealmId);
        return connected;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Sandbox.DisposeAsync();
    }

    /// <summary>Counts every response the QuickBooks client receives, retries included.</summary>
    private sealed class CountingHandler(ConcurrentDictionary<HttpStatusCode, int> responses) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            responses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
            return response;
        }
    }
}

/// <summary>Tokens per company, as the account grain will keep them: got by OAuth, refreshed on a 401, counted.</summary>
public sealed class SandboxTokenSource(QuickBooksOAuthClient oauth) : IQuickBooksTokenSource
{
    private readonly ConcurrentDictionary<string, QuickBooksTokens> _tokens = new();
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private int _refreshes;

    public int Refreshes => Volatile.Read(ref _refreshes);

    public QuickBooksTokens TokensOf(string realmId) => _tokens[realmId];

    /// <summary>Connects a company: the consent URL redirects with a code, exchanged for tokens.</summary>
    public async Task ConnectAsync(SandboxQuickBooks sandbox, string realmId)
    {
        var redirect = new Uri("https://app.example/oauth/quickbooks/callback");
        var consent = new Uri(oauth.BuildAuthorizationUrl(redirect, "state-1") + $"&realmId={realmId}");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var answer = await http.GetAsync(consent);
        var location = answer.Headers.Location ?? throw new InvalidOperationException($"The consent page answered {(int)answer.StatusCode}, not a redirect.");
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query);
        if (query["realmId"] != realmId || query["state"] != "state-1")
            throw new InvalidOperationException($"The redirect carried {location.Query}.");
        _tokens[realmId] = await oauth.ExchangeCodeAsync(query["code"]!, redirect);
    }

    public ValueTask<string> GetAccessTokenAsync(string realmId, CancellationToken cancellationToken)
        => ValueTask.FromResult(_tokens[realmId].AccessToken);

    public async ValueTask<string> RefreshAccessTokenAsync(string realmId, string rejectedToken, CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var current = _tokens[realmId];
            if (current.AccessToken != rejectedToken)
                return current.AccessToken;
            var refreshed = await oauth.RefreshAsync(current.RefreshToken, cancellationToken);
            _tokens[realmId] = refreshed;
            Interlocked.Increment(ref _refreshes);
            return refreshed.AccessToken;
        }
        finally
        {
            _refreshing.Release();
        }
    }
}
