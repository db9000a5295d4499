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
/// All of it is behind <see cref="DashboardAuthenticationHandler"/>. The JSON API is described in
/// <c>docs/DASHBOARD.md</c>.
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
        var dashboard = endpoints.MapGroup(Prefix).RequireAuthorization(Policy).ExcludeFromDescription();
        dashboard.MapGet("/", (HttpContext context, DashboardAssets assets) =>
        {
            // "/dashboard" → "dashboard/", relative so that it holds behind any prefix ("/ops/dashboard" → "/ops/dashboard/"),
            // and the page's relative URLs resolve under it. A ?key= has done its work once the cookie is set: it is
            // left out of the address bar and the history.
            if (!context.Request.Path.Value!.EndsWith('/'))
                return Results.Redirect("dashboard/");
            if (context.Request.Query.ContainsKey("key"))
                return Results.Redirect("./");
            return assets.Serve(context, DashboardAssets.IndexFile);
        });
        dashboard.MapGet("/assets/{**path}", (HttpContext context, string path, DashboardAssets assets) => assets.Serve(context, $"assets/{path}"));

        var api = dashboard.MapGroup("/api").AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.RequestServices.GetRequiredService<DashboardWatch>().Touch();
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return await next(context);
        });
        api.MapDashboardApi();
        return endpoints;
    }

    private sealed class Validator : IValidateOptions<DashboardOptions>
    {
        public ValidateOptionsResult Validate(string? name, DashboardOptions options)
            => DashboardOptions.Validate(options) is { } result && result != ValidationResult.Success
                ? ValidateOptionsResult.Fail(result.ErrorMessage ?? "Dashboard options are invalid.")
                : ValidateOptionsResult.Success;
    }
}
