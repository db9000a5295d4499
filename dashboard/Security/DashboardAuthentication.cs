using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Api.Security;

namespace OrleansSync.Dashboard.Security;

/// <summary>
/// Who may see the dashboard: an operator key (<c>Api:AdminKeys</c>) as <c>Authorization: Bearer</c>, <c>X-Api-Key</c>
/// or, once, <c>?key=</c> — which sets an HttpOnly, SameSite=Strict cookie holding a Data Protection–protected ticket,
/// so that the page's own requests need nothing more —; a user of <c>Dashboard:Users</c> by basic auth (the browser
/// asks); or anyone, when <c>Dashboard:AllowAnonymous</c> is on. Credentials sent are always checked: a wrong key is
/// refused even when anonymous access is on. Keys and passwords are compared in constant time.
/// </summary>
internal sealed class DashboardAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<ApiOptions> apiOptions,
    IOptions<DashboardOptions> dashboardOptions,
    IDataProtectionProvider dataProtection,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "Dashboard";
    public const string CookieName = "orleanssync-dashboard";
    public const string ModeClaim = "dashboard-mode";
    public const string BasicRealm = "Basic realm=\"OrleansSync dashboard\"";

    private const string CookiePurpose = "OrleansSync.Dashboard.Cookie.v1";

    /// <summary>How someone got in: <c>key</c>, <c>basic</c> or <c>anonymous</c>.</summary>
    public static class Modes
    {
        public const string Key = "key";
        public const string Basic = "basic";
        public const string Anonymous = "anonymous";
    }

    private IDataProtector Protector => dataProtection.CreateProtector(CookiePurpose);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(Basic(authorization["Basic ".Length..].Trim()));
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(Key(authorization["Bearer ".Length..].Trim()));
        if (Request.Headers[ApiKeyAuthenticationHandler.HeaderName].ToString() is { Length: > 0 } header)
            return Task.FromResult(Key(header));
        if (Request.Query["key"].ToString() is { Length: > 0 } query)
        {
            var result = Key(query);
            if (result.Succeeded)
                SetCookie(Modes.Key, result.Principal!.Identity!.Name!);
            return Task.FromResult(result);
        }

        if (Request.Cookies[CookieName] is { Length: > 0 } cookie)
            return Task.FromResult(Cookie(cookie));
        return Task.FromResult(dashboardOptions.Value.AllowAnonymous ? Success(Modes.Anonymous, "anonymous") : AuthenticateResult.NoResult());
    }

    /// <summary>
    /// 401 problem details. Without credentials the browser is asked for them (<c>WWW-Authenticate: Basic</c>); a wrong
    /// basic password is asked again; a wrong key says so.
    /// </summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        // The page's own requests (X-Requested-With: XMLHttpRequest) are not asked for basic credentials: the browser
        // would open its own dialog over the page, which shows its sign-in prompt instead.
        var fromPage = Request.Headers.XRequestedWith == "XMLHttpRequest";
        var basic = !fromPage && (failure is null || Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase));
        Response.Headers.WWWAuthenticate = basic ? BasicRealm : failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        if (failure is not null && Request.Cookies.ContainsKey(CookieName))
            Response.Cookies.Delete(CookieName, CookieOptions(DateTimeOffset.UnixEpoch));
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: failure is null ? "Sign in to the dashboard" : "Not let in",
            detail: failure?.Message ?? "Sign in with a dashboard user (basic auth), or send an operator key as 'Authorization: Bearer <key>' or open the page once with ?key=<key>.").ExecuteAsync(Context);
    }

    private AuthenticateResult Key(string presented)
        => apiOptions.Value.AdminKeys.Any(key => FixedTimeEquals(presented, key))
            ? Success(Modes.Key, "operator")
            : AuthenticateResult.Fail("The operator key is not valid.");

    private AuthenticateResult Basic(string encoded)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return AuthenticateResult.Fail("The basic credentials are not base64.");
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        var (user, password) = colon < 0 ? (decoded, "") : (decoded[..colon], decoded[(colon + 1)..]);
        // Every user's password is compared, so that the time taken says nothing about which names exist.
        string? matched = null;
        foreach (var (name, expected) in dashboardOptions.Value.Users)
        {
            if (FixedTimeEquals(password, expected ?? "") & FixedTimeEquals(user, name))
                matched = name;
        }

        return matched is null ? AuthenticateResult.Fail("The user name or password is not valid.") : Success(Modes.Basic, matched);
    }

    private AuthenticateResult Cookie(string value)
    {
        try
        {
            var parts = Protector.Unprotect(value).Split('|', 3);
            if (parts.Length == 3 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
                && time.GetUtcNow().ToUnixTimeSeconds() < expires && parts[1] is Modes.Key or Modes.Basic)
                return Success(parts[1], parts[2]);
        }
        catch (CryptographicException)
        {
        }

        return AuthenticateResult.Fail("The dashboard cookie is not valid any more: open the page with ?key=<key> again.");
    }

    private void SetCookie(string mode, string user)
    {
        var expires = time.GetUtcNow() + dashboardOptions.Value.CookieLifetime;
        var ticket = Protector.Protect(string.Create(CultureInfo.InvariantCulture, $"{expires.ToUnixTimeSeconds()}|{mode}|{user}"));
        Response.Cookies.Append(CookieName, ticket, CookieOptions(expires));
    }

    private CookieOptions CookieOptions(DateTimeOffset expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = Request.IsHttps,
        Path = $"{Request.PathBase}{DashboardHosting.Prefix}",
        Expires = expires,
    };

    private static AuthenticateResult Success(string mode, string user)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user), new Claim(ModeClaim, mode)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private static bool FixedTimeEquals(string presented, string expected)
        => CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
