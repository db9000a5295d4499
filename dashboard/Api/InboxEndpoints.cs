using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Dashboard.Api;

/// <summary>
/// The durable inbox (B2): <c>GET /dashboard/api/inbox</c> — backlog per partition and the newest dead letters, with
/// their error — and <c>POST /dashboard/api/inbox/dead-letters/{id}/replay</c>, which puts one back in line.
/// </summary>
internal static class InboxEndpoints
{
    /// <summary>Dead letters listed, newest first.</summary>
    private const int DeadLettersListed = 100;

    public static RouteGroupBuilder MapInboxEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/inbox", async (IInboxMonitor monitor, CancellationToken cancellationToken) =>
        {
            var backlog = await monitor.ReadBacklogAsync(cancellationToken);
            var dead = await monitor.ListDeadLettersAsync(tenantId: null, skip: 0, take: DeadLettersListed, cancellationToken);
            return new InboxView(
                backlog.OrderBy(b => b.Partition).Select(b => new InboxPartition(b.Partition, b.Pending, b.Dead, b.OldestPendingReceivedAt)).ToList(),
                dead.Select(Row).ToList());
        });
        api.MapPost("/inbox/dead-letters/{id}/replay", ReplayAsync);
        return api;
    }

    public static DeadLetterRow Row(DeadLetter dead)
        => new(dead.Id.ToString(), dead.TenantId, dead.Source, dead.EventId, dead.ReceivedAt, dead.Attempts, dead.LastError);

    private static async Task<IResult> ReplayAsync(IInboxMonitor monitor, string id, CancellationToken cancellationToken)
    {
        if (!InboxEventId.TryParse(id, out var eventId))
            return DashboardApi.BadRequest("Bad event id", $"'{id}' is not an inbox event id; ids look like '17.4052' (partition.sequence).");
        if (!await monitor.ReplayAsync(eventId, cancellationToken))
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dead letter", detail: $"Inbox event {id} is not dead-lettered (it may have been replayed already).");
        return Results.Ok(new ReplayAnswer(true));
    }
}
