using System.Globalization;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// The OAuth endpoints: <c>/oauth/authorize</c> (app.hubspot.com in real life; here the person consents at once),
/// <c>/oauth/v1/token</c>, and token information. Neither rate-limited nor bearer-authenticated.
/// </summary>
public static class OAuthEndpoints
{
    public static RouteGroupBuilder MapHubSpotOAuth(this RouteGroupBuilder group)
    {
        group.MapGet("/oauth/authorize", (HttpRequest request, HubSpotOAuth oauth) => Authorize(request, oauth, null));
        group.MapGet("/oauth/{portalId}/authorize", (string portalId, HttpRequest request, HubSpotOAuth oauth) => Authorize(request, oauth, portalId));
        group.MapPost("/oauth/v1/token", Token);
        group.MapGet("/oauth/v1/access-tokens/{token}", AccessTokenInfo);
        group.MapGet("/oauth/v1/refresh-tokens/{token}", RefreshTokenInfo);
        group.MapDelete("/oauth/v1/refresh-tokens/{token}", (string token, HubSpotOAuth oauth)
            => oauth.RevokeRefreshToken(token) ? Results.NoContent() : HubSpotError.NotFound("The refresh token was not found.").ToResult());
        return group;
    }

    /// <summary>
    /// Auto-consent: redirects to <c>redirect_uri?code=…&amp;state=…</c>. The portal is the <c>portalId</c> of the query
    /// (or path), else the demo portal.
    /// </summary>
    private static IResult Authorize(HttpRequest request, HubSpotOAuth oauth, string? portalInPath)
    {
        var query = request.Query;
        if (!oauth.IsClient(query["client_id"]))
            return HubSpotError.Validation("Unknown client_id: no app has this client id.").ToResult();
        var redirectUri = query["redirect_uri"].ToString();
        if (!Uri.TryCreate(redirectUri, UriKind.Absolute, out var redirect) || redirect.Scheme is not ("http" or "https"))
            return HubSpotError.Validation("redirect_uri is missing or is not an absolute http(s) URL.").ToResult();
        var scope = query["scope"].ToString();
        if (scope.Length == 0)
            return HubSpotError.Validation("scope is required.").ToResult();

        var portalText = portalInPath ?? query["portalId"].ToString();
        var portalId = DemoData.PortalId;
        if (portalText.Length > 0 && (!long.TryParse(portalText, NumberStyles.None, CultureInfo.InvariantCulture, out portalId) || portalId == 0))
            return HubSpotError.Validation($"Not a portal id: {portalText}").ToResult();

        var scopes = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var code = oauth.Authorize(portalId, redirectUri, scopes);
        var parameters = new Dictionary<string, string?> { ["code"] = code };
        if (query.TryGetValue("state", out var state))
            parameters["state"] = state.ToString();
        return Results.Redirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(redirectUri, parameters));
    }

    /// <summary>
    /// The token endpoint takes a form only (a JSON body gets 415), and checks the client id before anything else.
    /// </summary>
    private static async Task<IResult> Token(HttpRequest request, HubSpotOAuth oauth)
    {
        if (!request.HasFormContentType)
            return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        if (!oauth.IsClient(form["client_id"]))
            return OAuthError.BadClientId.ToResult();
        var grantType = form["grant_type"].ToString();
        if (grantType is not ("authorization_code" or "refresh_token"))
            return OAuthError.BadGrantType.ToResult();
        if (!oauth.IsSecret(form["client_secret"]))
            return OAuthError.BadClientSecret.ToResult();

        var (tokens, error) = grantType == "authorization_code"
            ? oauth.ExchangeCode(NullIfEmpty(form["code"]), NullIfEmpty(form["redirect_uri"]))
            : oauth.Refresh(NullIfEmpty(form["refresh_token"]));
        return error is not null ? error.ToResult() : TypedResults.Json(tokens!, HubSpotJson.Context.OAuthTokenResponse);
    }

    /// <summary>Information about a live access token. For unknown and expired ones we answer 404 (HubSpot's answer is UNCONFIRMED).</summary>
    private static IResult AccessTokenInfo(string token, HubSpotOAuth oauth, SandboxClock clock, SandboxOptions options)
    {
        var access = oauth.FindAccessToken(token);
        var now = clock.GetUtcNow();
        if (access is null || access.ExpiresAt <= now)
            return HubSpotError.NotFound("The access token was not found or has expired.").ToResult();
        return TypedResults.Json(
            new AccessTokenInfo(access.Token, HubSpotOAuth.DemoUserEmail, HubDomain(access.PortalId), access.Scopes, access.PortalId, options.HubSpot.AppId,
                (int)(access.ExpiresAt - now).TotalSeconds, HubSpotOAuth.DemoUserId, "access"),
            HubSpotJson.Context.AccessTokenInfo);
    }

    private static IResult RefreshTokenInfo(string token, HubSpotOAuth oauth, SandboxOptions options)
        => oauth.FindRefreshToken(token) is { } refresh
            ? TypedResults.Json(
                new RefreshTokenInfo(refresh.Token, HubSpotOAuth.DemoUserEmail, HubDomain(refresh.PortalId), refresh.Scopes, refresh.PortalId, options.HubSpot.ClientId, HubSpotOAuth.DemoUserId, "refresh"),
                HubSpotJson.Context.RefreshTokenInfo)
            : HubSpotError.NotFound("The refresh token was not found.").ToResult();

    private static string HubDomain(long portalId) => $"portal-{portalId}.example";

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
