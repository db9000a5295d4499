using Microsoft.Extensions.Options;
using OrleansSync.Api.Hosting;
using OrleansSync.Api.Security;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Api.OAuth;

/// <summary>
/// The OAuth 2.0 redirects (F1, F1b). The api exchanges the code — it is the front door, and a HubSpot install says
/// which account it is only in the token answer — and hands the tokens to the tenant's grains, which keep them
/// encrypted and refresh them.
/// </summary>
public static class OAuthEndpoints
{
    /// <summary>What the app asks of HubSpot: deals to read and write, what invoices are made from, and completing workflow actions.</summary>
    public static readonly IReadOnlyList<string> HubSpotScopes =
    [
        "oauth",
        "crm.objects.deals.read",
        "crm.objects.deals.write",
        "crm.schemas.deals.write",
        "crm.objects.contacts.read",
        "crm.objects.companies.read",
        "crm.objects.line_items.read",
        "crm.objects.quotes.read",
        "automation",
    ];

    public static IEndpointRouteBuilder MapOAuthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var oauth = endpoints.MapGroup("/oauth").WithTags("OAuth");
        oauth.MapGet("/hubspot/install", (HttpContext context, HubSpotOAuthClient hubSpot, OAuthState state, IOptions<ApiOptions> options)
            => Results.Redirect(hubSpot.BuildAuthorizationUrl(Callback(context, options.Value, "hubspot"), state.ForHubSpotInstall(), HubSpotScopes).AbsoluteUri));
        oauth.MapGet("/hubspot/callback", HubSpotCallbackAsync);
        oauth.MapGet("/quickbooks/callback", QuickBooksCallbackAsync);
        return endpoints;
    }

    /// <summary>Where a user goes to connect a QuickBooks company to <paramref name="portalId"/>.</summary>
    public static Tenants.ConnectStart StartQuickBooksConnect(HttpContext context, QuickBooksOAuthClient quickBooks, OAuthState state, ApiOptions options, long portalId)
        => new(quickBooks.BuildAuthorizationUrl(Callback(context, options, "quickbooks"), state.ForQuickBooksConnect(portalId), QuickBooksOAuthClient.AccountingScope), state.ExpiresAt);

    private static async Task<IResult> HubSpotCallbackAsync(
        HttpContext context, string? code, string? state, string? error, OAuthState states, HubSpotOAuthClient hubSpot, IGrainFactory grains, IOptions<ApiOptions> options)
    {
        if (error is not null)
            return Outcomes.BadRequest("Install refused", $"HubSpot answered error '{error}': the app was not installed.");
        if (!states.IsHubSpotInstall(state))
            return Outcomes.BadRequest("Bad state", "The state parameter is missing, was changed, has expired or belongs to another flow: start the install again.");
        if (string.IsNullOrEmpty(code))
            return Outcomes.BadRequest("Code missing", "The callback carries no code.");

        HubSpotTokens tokens;
        try
        {
            tokens = await hubSpot.ExchangeCodeAsync(code, Callback(context, options.Value, "hubspot"), context.RequestAborted);
        }
        catch (HubSpotOAuthException refused)
        {
            return Outcomes.BadRequest("Code refused", $"HubSpot refused the code ({refused.Status}); start the install again.");
        }
        catch (HubSpotUnavailableException unavailable)
        {
            return Problem.Upstream("HubSpot unavailable", unavailable.Message).ToResult();
        }

        if (tokens.PortalId is not { } portalId)
            return Problem.Upstream("No account", "HubSpot's token answer did not say which account installed the app.").ToResult();
        var installed = await grains.Tenant(portalId).InstallAsync(new HubSpotInstall(portalId, tokens.AccessToken, tokens.RefreshToken, tokens.AccessTokenExpiresAt));
        return installed.ToResult(TypedResults.Ok);
    }

    private static async Task<IResult> QuickBooksCallbackAsync(
        HttpContext context, string? code, string? state, string? realmId, string? error, OAuthState states, QuickBooksOAuthClient quickBooks, IGrainFactory grains, IOptions<ApiOptions> options)
    {
        if (error is not null)
            return Outcomes.BadRequest("Connection refused", $"Intuit answered error '{error}': the company was not connected.");
        if (states.QuickBooksPortal(state) is not { } portalId)
            return Outcomes.BadRequest("Bad state", "The state parameter is missing, was changed, has expired or belongs to another flow: start connecting again.");
        if (string.IsNullOrEmpty(code) || string.IsNullOrEmpty(realmId))
            return Outcomes.BadRequest("Code missing", "The callback must carry code and realmId.");

        QuickBooksTokens tokens;
        try
        {
            tokens = await quickBooks.ExchangeCodeAsync(code, Callback(context, options.Value, "quickbooks"), context.RequestAborted);
        }
        catch (QuickBooksOAuthException refused)
        {
            return Outcomes.BadRequest("Code refused", $"Intuit refused the code ({refused.Error}); start connecting again.");
        }
        catch (QuickBooksUnavailableException unavailable)
        {
            return Problem.Upstream("QuickBooks unavailable", unavailable.Message).ToResult();
        }

        var connected = await grains.Tenant(portalId).ConnectAccountAsync(new QuickBooksConnect(realmId, tokens.AccessToken, tokens.RefreshToken, tokens.AccessTokenExpiresAt, tokens.RefreshTokenExpiresAt));
        return connected.ToResult(TypedResults.Ok);
    }

    /// <summary>The redirect URI, the same when the flow starts and when the code is exchanged.</summary>
    private static Uri Callback(HttpContext context, ApiOptions options, string service)
    {
        var root = options.PublicBaseUrl?.ToString().TrimEnd('/') ?? $"{context.Request.Scheme}://{context.Request.Host}";
        return new Uri($"{root}/oauth/{service}/callback");
    }
}
