using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Metrics;

namespace OrleansSync.Dashboard.Api;

/// <summary>
/// <c>GET /dashboard/api/silos/{siloId}/history</c>: one silo's samples of the last minutes — CPU, memory (working set
/// and GC heap), activations, grain calls per second — for its charts (the Orleans Dashboard's silo page). The silo
/// keeps them itself, only while someone watches (<see cref="SiloHistory"/>); the serving silo asks it as it asks for
/// its stats, within <see cref="DashboardOptions.SiloStatsTimeout"/>.
/// </summary>
internal static class SiloEndpoints
{
    public static RouteGroupBuilder MapSiloHistoryEndpoint(this RouteGroupBuilder api)
    {
        api.MapGet("/silos/{siloId}/history", HistoryAsync);
        return api;
    }

    private static async Task<IResult> HistoryAsync(string siloId, ClusterStatsReader reader, TimeProvider time, IOptions<DashboardOptions> options, CancellationToken cancellationToken)
    {
        var answer = await reader.ReadHistoryAsync(siloId, options.Value.SiloStatsTimeout, cancellationToken);
        if (answer is null)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such silo", detail: $"No silo '{siloId}' in the cluster's membership.");
        if (answer.Value is not { } history)
            return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The silo did not answer", detail: answer.Problem);
        return Results.Ok(new SiloHistoryView(
            history.SiloId,
            time.GetUtcNow(),
            history.SampleInterval.TotalSeconds,
            history.Window.TotalSeconds,
            history.CollectingSince,
            history.Samples));
    }
}
