using System.Collections.Concurrent;
using System.Security.Cryptography;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// HubSpot's OAuth 2.0 for one public app: authorization codes (single use), access tokens that expire 30 minutes
/// after issue (on the sandbox clock), and refresh tokens that HubSpot does not rotate — the same refresh token keeps
/// working for every refresh. The access token decides the portal every API call works on.
/// </summary>
public sealed class HubSpotOAuth(SandboxClock clock, SandboxOptions options, HubSpotPortals portals)
{
    /// <summary>The person who installs the app and makes the admin endpoints' "CRM_UI" changes.</summary>
    public const long DemoUserId = 1_000_001;
    public const string DemoUserEmail = "demo.user@orleanssync.example";

    /// <summary>Since HubSpot's change, <c>expires_in</c> is always 30 minutes.</summary>
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(30);

    public static readonly IReadOnlyList<string> DefaultScopes =
    [
        "oauth", "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read", "crm.objects.companies.write",
        "crm.objects.deals.read", "crm.objects.deals.write", "crm.objects.line_items.read", "crm.objects.line_items.write",
        "crm.objects.quotes.read", "crm.objects.invoices.read", "crm.objects.invoices.write", "crm.schemas.deals.read",
        "crm.schemas.deals.write", "e-commerce", "timeline",
    ];

    private readonly HubSpotSandboxOptions _options = options.HubSpot;
    private readonly ConcurrentDictionary<string, AuthorizationCode> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccessToken> _accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RefreshToken> _refreshTokens = new(StringComparer.Ordinal);

    public sealed record AuthorizationCode(string Code, long PortalId, string RedirectUri, IReadOnlyList<string> Scopes);

    public sealed record AccessToken(string Token, long PortalId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, IReadOnlyList<string> Scopes);

    public sealed record RefreshToken(string Token, long PortalId, IReadOnlyList<string> Scopes);

    /// <summary>The outcome of presenting a bearer token.</summary>
    public sealed record Authentication(HubSpotPortal? Portal, AccessToken? Token, TimeSpan? ExpiredFor);

    public bool IsClient(string? clientId) => string.Equals(clientId, _options.ClientId, StringComparison.Ordinal);

    public bool IsSecret(string? clientSecret) => string.Equals(clientSecret, _options.ClientSecret, StringComparison.Ordinal);

    /// <summary>The person consents at once: installing the app in a portal creates the portal if it is new.</summary>
    public string Authorize(long portalId, string redirectUri, IReadOnlyList<string> scopes)
    {
        portals.GetOrCreate(portalId);
        var code = Guid.NewGuid().ToString();
        _codes[code] = new AuthorizationCode(code, portalId, redirectUri, scopes);
        return code;
    }

    /// <summary>Trades a code for tokens, once; the redirect URI must be the one the code was issued for.</summary>
    public (OAuthTokenResponse? Tokens, OAuthError? Error) ExchangeCode(string? code, string? redirectUri)
    {
        if (code is null || !_codes.TryGetValue(code, out var issued))
            return (null, OAuthError.BadAuthCode);
        if (!string.Equals(issued.RedirectUri, redirectUri, StringComparison.Ordinal))
            return (null, OAuthError.BadRedirectUri);
        if (!_codes.TryRemove(code, out _))
            return (null, OAuthError.BadAuthCode);

        var refresh = new RefreshToken($"na1-{Guid.NewGuid()}", issued.PortalId, issued.Scopes);
        _refreshTokens[refresh.Token] = refresh;
        return (Issue(refresh), null);
    }

    /// <summary>A new access token for a refresh token; the refresh token stays the same (HubSpot does not rotate it).</summary>
    public (OAuthTokenResponse? Tokens, OAuthError? Error) Refresh(string? refreshToken)
        => refreshToken is not null && _refreshTokens.TryGetValue(refreshToken, out var refresh)
            ? (Issue(refresh), null)
            : (null, OAuthError.BadRefreshToken);

    /// <summary>The admin shortcut: tokens for a portal without the browser dance.</summary>
    public OAuthTokenResponse IssueFor(long portalId)
    {
        portals.GetOrCreate(portalId);
        var refresh = new RefreshToken($"na1-{Guid.NewGuid()}", portalId, DefaultScopes);
        _refreshTokens[refresh.Token] = refresh;
        return Issue(refresh);
    }

    public Authentication Authenticate(string? token)
    {
        if (token is null || !_accessTokens.TryGetValue(token, out var access))
            return new Authentication(null, null, null);
        var now = clock.GetUtcNow();
        if (now >= access.ExpiresAt)
            return new Authentication(null, access, now - access.ExpiresAt);
        return new Authentication(portals.GetOrCreate(access.PortalId), access, null);
    }

    public AccessToken? FindAccessToken(string token) => _accessTokens.GetValueOrDefault(token);

    public RefreshToken? FindRefreshToken(string token) => _refreshTokens.GetValueOrDefault(token);

    public bool RevokeRefreshToken(string token) => _refreshTokens.TryRemove(token, out _);

    private OAuthTokenResponse Issue(RefreshToken refresh)
    {
        var now = clock.GetUtcNow();
        var access = new AccessToken("C" + Base64Url(RandomNumberGenerator.GetBytes(60)), refresh.PortalId, now, now + AccessTokenLifetime, refresh.Scopes);
        _accessTokens[access.Token] = access;
        return new OAuthTokenResponse(access.Token, refresh.Token, (int)AccessTokenLifetime.TotalSeconds, "bearer", refresh.PortalId);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
