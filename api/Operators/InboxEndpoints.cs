using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Api.Operators;

/// <summary>The durable inbox for operators: what waits where, what failed, and putting it back in line.</summary>
public static class InboxEndpoints
{
    private const int MaxPage = 500;

    public static RouteGroupBuilder MapInboxEndpoints(this RouteGroupBuilder api)
    {
        var inbox = api.MapGroup("/inbox").WithTags("Inbox");
        inbox.MapGet("/backlog", async (IInboxMonitor monitor, CancellationToken cancellationToken) => TypedResults.Ok(await monitor.ReadBacklogAsync(cancellationToken)));
        inbox.MapGet("/dead-letters", ListDeadLettersAsync);
        inbox.MapPost("/dead-letters/{id}/replay", ReplayAsync);
        return api;
    }

    private static async Task<Results<Ok<IReadOnlyList<DeadLetter>>, ProblemHttpResult>> ListDeadLettersAsync(
        IInboxMonitor monitor, string? tenant, int? skip, int? take, CancellationToken cancellationToken)
    {
        if (skip < 0 || take is < 1 or > MaxPage)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad page", detail: $"skip must be 0 or more and take between 1 and {MaxPage}.");
        return TypedResults.Ok(await monitor.ListDeadLettersAsync(tenant, skip ?? 0, take ?? 50, cancellationToken));
    }

    private static async Task<Results<Accepted<ReplayedEvent>, ProblemHttpResult>> ReplayAsync(IInboxMonitor monitor, string id, CancellationToken cancellationToken)
    {
        if (!InboxEventId.TryParse(id, out var eventId))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad event id", detail: $"'{id}' is not an inbox event id; ids look like '17.4052' (partition.sequence).");
        if (!await monitor.ReplayAsync(eventId, cancellationToken))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dead letter", detail: $"Inbox event {id} is not dead-lettered (it may have been replayed already).");
        return TypedResults.Accepted((string?)null, new ReplayedEvent(eventId.ToString(), "pending"));
    }
}

/// <summary>A dead letter put back in line.</summary>
public sealed record ReplayedEvent(string Id, string Status);
