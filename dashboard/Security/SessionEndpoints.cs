using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansSync.Api.Hosting;
using OrleansSync.Dashboard.Api;

namespace OrleansSync.Dashboard.Security;

/// <summary>
/// The page's sign-in form and its "Sign out": <c>POST /dashboard/api/session</c> with <c>{ key }</c> or
/// <c>{ user, password }</c> sets the same cookie as <c>?key=</c> (204; 401 problem when refused, 400 when the body is
/// not one of the two), and <c>DELETE /dashboard/api/session</c> removes it (204). Open to anyone: this is where one
/// signs in.
/// </summary>
internal static class SessionEndpoints
{
    public static RouteGroupBuilder MapSessionEndpoints(this RouteGroupBuilder dashboard)
    {
        var session = dashboard.MapGroup("/api/session").AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(context);
        });
        session.MapPost("/", SignInAsync);
        session.MapDelete("/", (HttpContext context, DashboardCredentials credentials) =>
        {
            credentials.DeleteCookie(context);
            return Results.NoContent();
        });
        return dashboard;
    }

    private static async Task<IResult> SignInAsync(HttpContext context, DashboardCredentials credentials)
    {
        var (request, invalid) = await Outcomes.ReadJsonAsync(context.Request, DashboardJsonContext.Default.SessionRequest);
        if (invalid is not null)
            return invalid;

        var byKey = !string.IsNullOrEmpty(request!.Key);
        var (hasUser, hasPassword) = (!string.IsNullOrEmpty(request.User), !string.IsNullOrEmpty(request.Password));
        if (byKey ? hasUser || hasPassword : !(hasUser && hasPassword))
            return DashboardApi.BadRequest("Bad sign-in", "Send either { \"key\": \"<operator key>\" } or { \"user\": \"<name>\", \"password\": \"<password>\" }.");

        if (byKey)
        {
            if (!credentials.IsOperatorKey(request.Key!))
                return Refused("That key was not accepted. Check it against Api:AdminKeys (or the key the single-process log printed) and try again.");
            credentials.IssueCookie(context, DashboardAuthenticationHandler.Modes.Key, "operator");
            return Results.NoContent();
        }

        if (credentials.User(request.User!, request.Password!) is not { } user)
            return Refused("That user name and password were not accepted.");
        credentials.IssueCookie(context, DashboardAuthenticationHandler.Modes.Basic, user);
        return Results.NoContent();

        IResult Refused(string detail)
        {
            // Never a basic challenge: the browser would open its own dialog over the page's form.
            context.Response.Headers.WWWAuthenticate = DashboardAuthenticationHandler.InvalidKeyChallenge;
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not let in", detail: detail);
        }
    }
}
