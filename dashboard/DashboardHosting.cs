using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSync.Dashboard.Api;
using OrleansSync.Dashboard.Assets;
using OrleansSync.Dashboard.Security;
using OrleansSync.Runtime.Metrics;

namespace OrleansSync.Dashboard;

/// <summary>
/// The operator dashboard, served by every silo (and the single-process default) under <c>{PathBase}/dashboard</c>:
/// <list type="bullet">
/// <item><c>GET /dashboard/</c> — the page, <c>dashboard/wwwroot/index.html</c>; its files under
/// <c>/dashboard/assets/…</c>. The files are <b>embedded resources</b> of this assembly (see the project file), read
/// into memory at start by <see cref="DashboardAssets"/>: whatever is in <c>dashboard/wwwroot</c> at build time is
/// served, with no file to find on disk. <c>GET /dashboard</c> redirects to <c>dashboard/</c>, so that the page's
/// relative URLs (<c>assets/app.js</c>, <c>api/overview</c>) resolve under any base path.</item>
/// <item><c>GET|POST /dashboard/api/…</c> — JSON (<see cref="DashboardJsonContext"/>), errors as problem details. Each
/// request keeps the <see cref="DashboardWatch"/> on: collection runs only while someone looks.</item>
/// </list>
/// The page and its files are open to anyone — they hold no data; the api is behind
/// <see cref="DashboardAuthenticationHandler"/>, and <c>/dashboard/api/session</c> (<see cref="SessionEndpoints"/>) is
/// where the page's sign-in form signs in and out. The JSON API is described in <c>docs/DASHBOARD.md</c>.
/// </summary>
public static class DashboardHosting
{
    public const string Prefix = "/dashboard";
    public const string Policy = "Dashboard";
    public const string ForwardedPrefixHeader = "X-Forwarded-Prefix";

    public static IServiceCollection AddOrleansSyncDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DashboardOptions>()
            .Bind(configuration.GetSection(DashboardOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DashboardOptions>>(new Validator());
        services.AddSingleton<DashboardAssets>();
        services.AddSingleton<DashboardCredentials>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, DashboardAuthenticationHandler>(DashboardAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(DashboardAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, DashboardJsonContext.Default));
        services.AddDashboardApi(configuration);
        return services;
    }

    /// <summary>
    /// The base path: <c>Dashboard:PathBase</c>, or a proxy's <c>X-Forwarded-Prefix</c>. Call first: routing runs after
    /// it (explicitly here), so endpoints match the path below the prefix.
    /// </summary>
    public static WebApplication UseOrleansSyncDashboard(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.PathBase is { Length: > 0 } pathBase)
            app.UsePathBase(pathBase);
        app.Use((context, next) =>
        {
            // Only the dashboard's own requests: elsewhere the base path makes URLs others check (OAuth redirects,
            // HubSpot's signatures), which a header anyone can send must not change.
            if (context.Request.Path.StartsWithSegments(Prefix)
                && context.Request.Headers[ForwardedPrefixHeader].ToString() is { Length: > 1 } prefix && prefix.StartsWith('/'))
                context.Request.PathBase = new PathString(prefix.TrimEnd('/')) + context.Request.PathBase;
            return next(context);
        });
        app.UseRouting();
        return app;
    }

    public static IEndpointRouteBuilder MapOrleansSyncDashboard(this IEndpointRouteBuilder endpoints)
    {
        // The page and its files hold no data: anyone may load them, and the page asks for a sign-in when its first
        // request to the api is refused. The api is where the data is, and needs credentials.
        var dashboard = endpoints.MapGroup(Prefix).ExcludeFromDescription();
        dashboard.MapGet("/", PageAsync);
        dashboard.MapGet("/assets/{**path}", (HttpContext context, string path, DashboardAssets assets) => assets.Serve(context, $"assets/{path}"));
        dashboard.MapSessionEndpoints();

        var api = dashboard.MapGroup("/api").RequireAuthorization(Policy).AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.RequestServices.GetRequiredService<DashboardWatch>().Touch();
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(context);
        });
        api.MapDashboardApi();
        return endpoints;
    }

    /// <summary>
    /// The page. "/dashboard" → "dashboard/", relative so that it holds behind any prefix ("/ops/dashboard" →
    /// "/ops/dashboard/"), and the page's relative URLs resolve under it. An operator's link carries the key
    /// (<c>?key=</c>): a good one becomes the sign-in cookie and is left out of the address bar and the history; a wrong
    /// one gets the page with 401, and the page says that the key was not accepted.
    /// </summary>
    private static async Task<IResult> PageAsync(HttpContext context, DashboardAssets assets, DashboardCredentials credentials)
    {
        var atFolder = context.Request.Path.Value!.EndsWith('/');
        if (context.Request.Query.ContainsKey("key"))
        {
            if ((await context.AuthenticateAsync(DashboardAuthenticationHandler.SchemeName)).Succeeded)
                return Results.Redirect(atFolder ? "./" : "dashboard/");
            if (!atFolder)
                return Results.Redirect($"dashboard/{context.Request.QueryString}");
            if (context.Request.Cookies.ContainsKey(DashboardCredentials.CookieName))
                credentials.DeleteCookie(context); // a failed sign-in signs out, as on the api
            context.Response.Headers.WWWAuthenticate = DashboardAuthenticationHandler.InvalidKeyChallenge;
            return assets.Serve(context, DashboardAssets.IndexFile, StatusCodes.Status401Unauthorized);
        }

        return atFolder ? assets.Serve(context, DashboardAssets.IndexFile) : Results.Redirect("dashboard/");
    }

    private sealed class Validator : IValidateOptions<DashboardOptions>
    {
        public ValidateOptionsResult Validate(string? name, DashboardOptions options)
            => DashboardOptions.Validate(options) is { } result && result != ValidationResult.Success
                ? ValidateOptionsResult.Fail(result.ErrorMessage ?? "Dashboard options are invalid.")
                : ValidateOptionsResult.Success;
    }
}
