using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OrleansSync.Api.Security;

namespace OrleansSync.Dashboard.Security;

/// <summary>
/// Who may see the dashboard, and how a browser stays signed in: the operator keys (<c>Api:AdminKeys</c>) and the
/// <c>Dashboard:Users</c>, compared in constant time, and the cookie that carries a sign-in from one request to the
/// next — an HttpOnly, SameSite=Strict ticket protected by Data Protection (good on every silo), scoped to the
/// dashboard's path. Both ways of signing in use it: the authentication handler (<c>?key=</c>) and the page's sign-in
/// form (<c>POST /dashboard/api/session</c>).
/// </summary>
internal sealed class DashboardCredentials(
    IOptions<ApiOptions> apiOptions,
    IOptions<DashboardOptions> dashboardOptions,
    IDataProtectionProvider dataProtection,
    TimeProvider time)
{
    public const string CookieName = "orleanssync-dashboard";

    private const string CookiePurpose = "OrleansSync.Dashboard.Cookie.v1";

    private IDataProtector Protector => dataProtection.CreateProtector(CookiePurpose);

    /// <summary>The ways the page may offer to sign in: always an operator key; user and password when there are users.</summary>
    public IReadOnlyList<string> SignInWith => dashboardOptions.Value.Users.Count > 0
        ? [DashboardAuthenticationHandler.Modes.Key, DashboardAuthenticationHandler.Modes.Basic]
        : [DashboardAuthenticationHandler.Modes.Key];

    public bool IsOperatorKey(string presented) => apiOptions.Value.AdminKeys.Any(key => FixedTimeEquals(presented, key));

    /// <summary>The user's name when the password is theirs; null otherwise.</summary>
    public string? User(string user, string password)
    {
        // Every user's password is compared, so that the time taken says nothing about which names exist.
        string? matched = null;
        foreach (var (name, expected) in dashboardOptions.Value.Users)
        {
            if (FixedTimeEquals(password, expected ?? "") & FixedTimeEquals(user, name))
                matched = name;
        }

        return matched;
    }

    /// <summary>Signs the browser in for <c>Dashboard:CookieLifetime</c>: the cookie the page's requests then carry.</summary>
    public void IssueCookie(HttpContext context, string mode, string user)
    {
        var expires = time.GetUtcNow() + dashboardOptions.Value.CookieLifetime;
        var ticket = Protector.Protect(string.Create(CultureInfo.InvariantCulture, $"{expires.ToUnixTimeSeconds()}|{mode}|{user}"));
        context.Response.Cookies.Append(CookieName, ticket, CookieOptions(context, expires));
    }

    /// <summary>How and as whom the cookie signed in; null when it is forged, damaged or expired.</summary>
    public (string Mode, string User)? ReadCookie(string value)
    {
        try
        {
            var parts = Protector.Unprotect(value).Split('|', 3);
            if (parts.Length == 3 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
                && time.GetUtcNow().ToUnixTimeSeconds() < expires && parts[1] is DashboardAuthenticationHandler.Modes.Key or DashboardAuthenticationHandler.Modes.Basic)
                return (parts[1], parts[2]);
        }
        catch (CryptographicException)
        {
        }

        return null;
    }

    public void DeleteCookie(HttpContext context) => context.Response.Cookies.Delete(CookieName, CookieOptions(context, DateTimeOffset.UnixEpoch));

    private static CookieOptions CookieOptions(HttpContext context, DateTimeOffset expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = $"{context.Request.PathBase}{DashboardHosting.Prefix}",
        Expires = expires,
    };

    private static bool FixedTimeEquals(string presented, string expected)
        => CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
