using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Dashboard.Security;
using OrleansSync.Runtime.Hosting;

namespace OrleansSync.Dashboard.Api;

/// <summary>The mode the silo runs in, as the overview reports it.</summary>
internal sealed record DashboardMode(bool Durable)
{
    public string Name => Durable ? "cluster" : "single-process";
}

/// <summary>The JSON endpoints under <c>/dashboard/api</c>: each a read of what the cluster already keeps, or one action.</summary>
internal static class DashboardApi
{
    public const int DefaultSeconds = 60;

    public static IServiceCollection AddDashboardApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new DashboardMode(!string.IsNullOrWhiteSpace(configuration.GetConnectionString(OrleansSyncHosting.PostgresConnectionStringName))));
        services.AddSingleton<ClusterView>();
        services.AddSingleton<TenantsView>();
        return services;
    }

    public static RouteGroupBuilder MapDashboardApi(this RouteGroupBuilder api)
    {
        api.MapGet("/overview", (ClusterView cluster, HttpContext context, CancellationToken cancellationToken) => cluster.OverviewAsync(Auth(context.User), cancellationToken));
        api.MapGet("/grains", async (ClusterView cluster, string? seconds, CancellationToken cancellationToken) =>
            TryInt(seconds, DefaultSeconds, 1, 119, out var window)
                ? Results.Ok(await cluster.GrainCallsAsync(window, cancellationToken))
                : BadRequest("Bad window", $"seconds must be a whole number from 1 to 119, not '{seconds}'."));
        api.MapReminderEndpoints();
        api.MapInboxEndpoints();
        api.MapTenantEndpoints();
        api.MapInvoiceEndpoints();
        api.MapLiveEndpoint();
        api.MapLogEndpoints();
        api.MapSiloHistoryEndpoint();
        return api;
    }

    public static DashboardAuth Auth(ClaimsPrincipal user)
        => new(user.FindFirstValue(DashboardAuthenticationHandler.ModeClaim) ?? DashboardAuthenticationHandler.Modes.Anonymous, user.Identity?.Name);

    public static IResult BadRequest(string title, string detail) => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    /// <summary>A whole number from the query, <paramref name="fallback"/> when absent; false when outside <paramref name="min"/>–<paramref name="max"/>.</summary>
    public static bool TryInt(string? text, int fallback, int min, int max, out int value)
    {
        value = fallback;
        if (string.IsNullOrEmpty(text))
            return true;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
