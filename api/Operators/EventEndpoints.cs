using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSync.Runtime.Outbox;

namespace OrleansSync.Api.Operators;

/// <summary>
/// The outbox's events for operators (F15): a page of them, the backlog, and a live stream. Everything is read from
/// <see cref="IOutboxMonitor"/>, so an api node that publishes nothing serves it as well as a silo.
/// </summary>
public static class EventEndpoints
{
    private const int DefaultPage = 100;
    private const int MaxPage = 500;

    public static RouteGroupBuilder MapEventEndpoints(this RouteGroupBuilder api)
    {
        var events = api.MapGroup("/events").WithTags("Events");
        events.MapGet("", ReadAsync);
        events.MapGet("/backlog", async (IOutboxMonitor monitor, CancellationToken cancellationToken) => TypedResults.Ok(await monitor.ReadBacklogAsync(cancellationToken)));
        events.MapGet("/stream", Stream);
        return api;
    }

    /// <summary>Newest first; with <c>after</c>, the events after that id, oldest first.</summary>
    private static async Task<Results<Ok<IReadOnlyList<PublishedEvent>>, ProblemHttpResult>> ReadAsync(
        IOutboxMonitor monitor, string? tenant, string? topic, string? after, string? take, CancellationToken cancellationToken)
    {
        if (!TryParseId(after, out var afterId))
            return BadQuery("Bad event id", $"after must be an event id (a whole number, 0 or more), not '{after}'.");
        if (!TryParsePage(take, out var page))
            return BadQuery("Bad page", $"take must be a whole number from 1 to {MaxPage}, not '{take}'.");
        return TypedResults.Ok(await monitor.ReadAsync(Blank(tenant), Blank(topic), afterId, page, cancellationToken));
    }

    /// <summary>
    /// Server-sent events: each event recorded from now on (or after <c>Last-Event-ID</c>, to resume), with its id as
    /// <c>id:</c>, its topic as <c>event:</c> and the event as JSON in <c>data:</c>. Found by asking the monitor for the
    /// events after the last one sent, at least every second, until the client goes away.
    /// </summary>
    private static IResult Stream(HttpRequest request, string? tenant, string? topic)
    {
        var lastEventId = request.Headers["Last-Event-ID"].ToString();
        if (!TryParseId(lastEventId, out var resumeAfter))
            return BadQuery("Bad event id", $"The Last-Event-ID header must be an event id (a whole number, 0 or more), not '{lastEventId}'.");
        return new EventStreamResult(Blank(tenant), Blank(topic), resumeAfter);
    }

    private static ProblemHttpResult BadQuery(string title, string detail)
        => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static bool TryParseId(string? text, out long? id)
    {
        id = null;
        if (string.IsNullOrEmpty(text))
            return true;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            return false;
        id = value;
        return true;
    }

    private static bool TryParsePage(string? text, out int take)
    {
        take = DefaultPage;
        if (string.IsNullOrEmpty(text))
            return true;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out take) && take is >= 1 and <= MaxPage;
    }
}
