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

    /// <summary>Keys that may use every operator endpoint (environment: <c>Api__AdminKeys__0</c>, …).</summary>
    public List<string> AdminKeys { get; set; } = [];
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
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey();
        if (presented is null)
            return Task.FromResult(AuthenticateResult.NoResult());

        var presentedBytes = Encoding.UTF8.GetBytes(presented);
        var isAdmin = apiOptions.Value.AdminKeys.Any(key => CryptographicOperations.FixedTimeEquals(presentedBytes, Encoding.UTF8.GetBytes(key)));
        if (!isAdmin)
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "operator"), new Claim(ClaimTypes.Role, AdminRole)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

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
