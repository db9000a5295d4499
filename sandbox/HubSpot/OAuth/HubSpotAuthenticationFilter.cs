using System.Globalization;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// Every API call needs <c>Authorization: Bearer &lt;access token&gt;</c>; the token decides the portal. Unknown or
/// missing tokens get HubSpot's INVALID_AUTHENTICATION 401, expired ones its EXPIRED_AUTHENTICATION 401.
/// </summary>
public sealed class HubSpotAuthenticationFilter(HubSpotOAuth oauth) : IEndpointFilter
{
    private const string CredentialsNotFound = "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        var authentication = oauth.Authenticate(token);
        if (authentication.ExpiredFor is { } expiredFor)
        {
            var minutes = ((long)expiredFor.TotalMinutes).ToString(CultureInfo.InvariantCulture);
            return new HubSpotError(StatusCodes.Status401Unauthorized, $"The OAuth token used to make this call expired {minutes} minute(s) ago.", "EXPIRED_AUTHENTICATION").ToResult();
        }

        if (authentication.Portal is null)
            return new HubSpotError(StatusCodes.Status401Unauthorized, CredentialsNotFound, "INVALID_AUTHENTICATION").ToResult();

        HubSpotCaller.Set(http, authentication.Portal);
        return await next(context);
    }
}

/// <summary>The portal of the authenticated call, for the handlers behind <see cref="HubSpotAuthenticationFilter"/>.</summary>
public static class HubSpotCaller
{
    private static readonly object Key = new();

    public static void Set(HttpContext http, HubSpotPortal portal) => http.Items[Key] = portal;

    public static HubSpotPortal Portal(HttpContext http)
        => http.Items[Key] as HubSpotPortal ?? throw new InvalidOperationException("The HubSpot endpoint ran without the authentication filter.");
}
