using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OrleansSync.Api.Security;

/// <summary>Operator API keys. Configuration section <c>Api</c>.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Keys that may use every operator endpoint and see every tenant (environment: <c>Api__AdminKeys__0</c>, …).</summary>
    public List<string> AdminKeys { get; set; } = [];

    /// <summary>
    /// Keys that see one tenant only, by HubSpot portal id (environment: <c>Api__TenantKeys__7262481__0</c>, …).
    /// </summary>
    public Dictionary<string, List<string>> TenantKeys { get; set; } = [];

    /// <summary>
    /// Where users reach this api, for the OAuth redirect URIs registered with HubSpot and Intuit
    /// (environment: <c>Api__PublicBaseUrl</c>); the address of the request when unset.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }
}

/// <summary>
/// Authenticates operator requests by API key, sent as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key</c>.
/// Keys are compared in constant time. A refusal is a problem-details 401.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<ApiOptions> apiOptions) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string AdminRole = "admin";
    public const string TenantRole = "tenant";
    public const string PortalClaim = "portal";
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey();
        if (presented is null)
            return Task.FromResult(AuthenticateResult.NoResult());

        var presentedBytes = Encoding.UTF8.GetBytes(presented);
        var options = apiOptions.Value;
        Claim[]? claims = null;
        if (options.AdminKeys.Any(key => Matches(presentedBytes, key)))
        {
            claims = [new Claim(ClaimTypes.Name, "operator"), new Claim(ClaimTypes.Role, AdminRole)];
        }
        else
        {
            // Every tenant's keys are compared, so that the time taken says nothing about which tenant was close.
            string? portal = null;
            foreach (var (portalId, keys) in options.TenantKeys)
            {
                if (keys.Any(key => Matches(presentedBytes, key)))
                    portal = portalId;
            }

            if (portal is not null)
                claims = [new Claim(ClaimTypes.Name, $"tenant {portal}"), new Claim(ClaimTypes.Role, TenantRole), new Claim(PortalClaim, portal)];
        }

        if (claims is null)
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        var identity = new ClaimsIdentity(claims, SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    private static bool Matches(byte[] presented, string key) => CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(key));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure;
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "API key required",
            detail: failure?.Message ?? $"Send an operator API key as 'Authorization: Bearer <key>' or '{HeaderName}: <key>'.").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: "This API key may not use this endpoint.").ExecuteAsync(Context);

    private string? PresentedKey()
    {
        if (Request.Headers[HeaderName].ToString() is { Length: > 0 } header)
            return header;
        var authorization = Request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }
}

/// <summary>
/// Lets a request at <c>/api/tenants/{portalId}/…</c> through when its key is an admin key or that tenant's key; any
/// other tenant's key gets 403, so tenant A's key never reads tenant B.
/// </summary>
internal sealed class TenantAccessFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var user = context.HttpContext.User;
        var portal = context.HttpContext.Request.RouteValues["portalId"]?.ToString();
        if (user.IsInRole(ApiKeyAuthenticationHandler.AdminRole) || (portal is not null && user.HasClaim(ApiKeyAuthenticationHandler.PortalClaim, portal)))
            return await next(context);
        return Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Not your tenant",
            detail: $"This API key belongs to another HubSpot account; it cannot see account {portal}.");
    }

    /// <summary>The tenants a key may list: all for an admin key, its own for a tenant key.</summary>
    public static bool MaySee(ClaimsPrincipal user, long portalId)
        => user.IsInRole(ApiKeyAuthenticationHandler.AdminRole) || user.HasClaim(ApiKeyAuthenticationHandler.PortalClaim, portalId.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
