using System.Security.Cryptography;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>Tokens as Intuit issues them to an app for a company.</summary>
internal sealed record IssuedTokens(string RealmId, string AccessToken, string RefreshToken, int ExpiresIn, int RefreshTokenExpiresIn);

internal enum AccessTokenState { Valid, Expired, Unknown }

/// <summary>Who holds tokens: the app that went through OAuth, or a person using the sandbox's admin shortcut.</summary>
internal static class TokenHolders
{
    public const string App = "app";
    public const string Admin = "admin";
}

/// <summary>
/// Intuit's OAuth behaviour: authorization codes used once within ten minutes; access tokens that last an hour;
/// refresh tokens that last about 100 days and are replaced by each refresh (the old one stops working); revoking a
/// token ends the company's connection. Tokens remember their holder, because Intuit's limits are per company and
/// app: a person poking at the API with admin tokens does not use up the app's budget.
/// </summary>
internal sealed class QuickBooksTokenStore(TimeProvider clock)
{
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan RefreshTokenLifetime = TimeSpan.FromSeconds(8_726_400);
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string RealmId, string RedirectUri, DateTimeOffset ExpiresAt)> _codes = [];
    private readonly Dictionary<string, (string RealmId, DateTimeOffset ExpiresAt, string Holder)> _accessTokens = [];
    private readonly Dictionary<string, (string RealmId, DateTimeOffset ExpiresAt, string Holder)> _refreshTokens = [];

    public string IssueCode(string realmId, string redirectUri)
    {
        var code = "AB11" + RandomToken(24);
        lock (_lock)
            _codes[code] = (realmId, redirectUri, clock.GetUtcNow() + CodeLifetime);
        return code;
    }

    /// <summary>Exchanges a code for tokens; null when the code is unknown, used, expired or for another redirect URI.</summary>
    public IssuedTokens? ExchangeCode(string code, string redirectUri)
    {
        lock (_lock)
        {
            if (!_codes.Remove(code, out var issued) || issued.ExpiresAt < clock.GetUtcNow() || issued.RedirectUri != redirectUri)
                return null;
            return IssueLocked(issued.RealmId, TokenHolders.App);
        }
    }

    /// <summary>A new access token and a new refresh token; the refresh token used stops working.</summary>
    public IssuedTokens? Refresh(string refreshToken)
    {
        lock (_lock)
        {
            if (!_refreshTokens.Remove(refreshToken, out var held) || held.ExpiresAt < clock.GetUtcNow())
                return null;
            return IssueLocked(held.RealmId, held.Holder);
        }
    }

    /// <summary>Tokens for a person (the admin shortcut), counted apart from the app's.</summary>
    public IssuedTokens Issue(string realmId)
    {
        lock (_lock)
            return IssueLocked(realmId, TokenHolders.Admin);
    }

    /// <summary>Revokes a refresh or access token and with it every token of that company's connection.</summary>
    public bool Revoke(string token)
    {
        lock (_lock)
        {
            var realm = _refreshTokens.TryGetValue(token, out var refresh) ? refresh.RealmId
                : _accessTokens.TryGetValue(token, out var access) ? access.RealmId : null;
            if (realm is null)
                return false;
            RevokeRealmLocked(realm);
            return true;
        }
    }

    /// <summary>The company disconnected the app: every token of it stops working.</summary>
    public void RevokeRealm(string realmId)
    {
        lock (_lock)
            RevokeRealmLocked(realmId);
    }

    public (AccessTokenState State, string? RealmId, TimeSpan ExpiredFor, string? Holder) Check(string accessToken)
    {
        lock (_lock)
        {
            if (!_accessTokens.TryGetValue(accessToken, out var held))
                return (AccessTokenState.Unknown, null, TimeSpan.Zero, null);
            var now = clock.GetUtcNow();
            return held.ExpiresAt > now ? (AccessTokenState.Valid, held.RealmId, TimeSpan.Zero, held.Holder) : (AccessTokenState.Expired, held.RealmId, now - held.ExpiresAt, held.Holder);
        }
    }

    private IssuedTokens IssueLocked(string realmId, string holder)
    {
        var now = clock.GetUtcNow();
        var access = "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2In0." + RandomToken(48);
        var refresh = "AB11" + RandomToken(32);
        _accessTokens[access] = (realmId, now + AccessTokenLifetime, holder);
        _refreshTokens[refresh] = (realmId, now + RefreshTokenLifetime, holder);
        return new IssuedTokens(realmId, access, refresh, (int)AccessTokenLifetime.TotalSeconds, (int)RefreshTokenLifetime.TotalSeconds);
    }

    private void RevokeRealmLocked(string realmId)
    {
        foreach (var token in _accessTokens.Where(t => t.Value.RealmId == realmId).Select(t => t.Key).ToList())
            _accessTokens.Remove(token);
        foreach (var token in _refreshTokens.Where(t => t.Value.RealmId == realmId).Select(t => t.Key).ToList())
            _refreshTokens.Remove(token);
    }

    private static string RandomToken(int bytes) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
