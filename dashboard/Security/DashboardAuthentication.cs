using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Api.Security;

namespace OrleansSync.Dashboard.Security;

/// <summary>
/// Who may call the dashboard's JSON endpoints: an operator key (<c>Api:AdminKeys</c>) as <c>Authorization: Bearer</c>,
/// <c>X-Api-Key</c> or, once, <c>?key=</c> — which sets the sign-in cookie (<see cref="DashboardCredentials"/>), as the
/// page's sign-in form does —; a user of <c>Dashboard:Users</c> by basic auth; the cookie; or anyone, when
/// <c>Dashboard:AllowAnonymous</c> is on. Credentials sent are always checked: a wrong key is refused even when anonymous
/// access is on. The page and its files need none of this: they hold no data.
/// </summary>
internal sealed class DashboardAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<DashboardOptions> dashboardOptions,
    DashboardCredentials credentials) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "Dashboard";
    public const string ModeClaim = "dashboard-mode";
    public const string BasicChallenge = "Basic realm=\"OrleansSync dashboard\"";
    public const string BearerChallenge = "Bearer";
    public const string InvalidKeyChallenge = "Bearer error=\"invalid_token\"";

    /// <summary>
    /// The page marks its requests with <c>X-Requested-With: OrleansSync-Dashboard</c>: refused, they are not asked for
    /// basic credentials, which would make the browser open its own dialog over the page's sign-in form.
    /// </summary>
    public const string PageRequestHeader = "X-Requested-With";
    public const string PageRequestValue = "OrleansSync-Dashboard";

    /// <summary>The extension of a 401 problem that lists the ways to sign in (<c>key</c>, and <c>basic</c> when there are users).</summary>
    public const string SignInWithExtension = "signInWith";

    /// <summary>How someone got in: <c>key</c>, <c>basic</c> or <c>anonymous</c>.</summary>
    public static class Modes
    {
        public const string Key = "key";
        public const string Basic = "basic";
        public const string Anonymous = "anonymous";
    }

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
                credentials.IssueCookie(Context, Modes.Key, result.Principal!.Identity!.Name!);
            return Task.FromResult(result);
        }

        if (Request.Cookies[DashboardCredentials.CookieName] is { Length: > 0 } cookie)
        {
            return Task.FromResult(credentials.ReadCookie(cookie) is var (mode, user)
                ? Success(mode, user)
                : AuthenticateResult.Fail("Your sign-in has ended: sign in again."));
        }

        return Task.FromResult(dashboardOptions.Value.AllowAnonymous ? Success(Modes.Anonymous, "anonymous") : AuthenticateResult.NoResult());
    }

    /// <summary>
    /// 401 problem details, listing the ways to sign in (<see cref="SignInWithExtension"/>). Without credentials, or with
    /// a wrong basic password, a browser is asked for basic credentials (<c>WWW-Authenticate: Basic</c>) — unless the
    /// request came from the page, which shows its own sign-in form; a wrong key says so.
    /// </summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        var basic = !IsFromPage(Request) && (failure is null || Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase));
        Response.Headers.WWWAuthenticate = basic ? BasicChallenge : failure is null ? BearerChallenge : InvalidKeyChallenge;
        if (failure is not null && Request.Cookies.ContainsKey(DashboardCredentials.CookieName))
            credentials.DeleteCookie(Context);
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: failure is null ? "Sign in to the dashboard" : "Not let in",
            detail: failure?.Message ?? "Sign in with an operator key (as 'Authorization: Bearer <key>', or open the page once with ?key=<key>) or as a dashboard user.",
            extensions: new Dictionary<string, object?> { [SignInWithExtension] = credentials.SignInWith.ToArray() }).ExecuteAsync(Context);
    }

    /// <summary>
    /// The page's own requests: its fetches (marked with <see cref="PageRequestHeader"/>) and its live stream (an
    /// EventSource, which cannot add a header, asks for <c>text/event-stream</c>).
    /// </summary>
    public static bool IsFromPage(HttpRequest request)
        => request.Headers[PageRequestHeader] == PageRequestValue
           || request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);

    private AuthenticateResult Key(string presented)
        => credentials.IsOperatorKey(presented)
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
        return credentials.User(user, password) is { } matched
            ? Success(Modes.Basic, matched)
            : AuthenticateResult.Fail("The user name or password is not valid.");
    }

    private static AuthenticateResult Success(string mode, string user)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user), new Claim(ModeClaim, mode)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
