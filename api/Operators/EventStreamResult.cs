using System.Buffers;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OrleansSync.Api.Hosting;
using OrleansSync.Runtime.Outbox;

namespace OrleansSync.Api.Operators;

/// <summary>
/// <c>GET /api/events/stream</c>: the outbox's events as server-sent events, after <paramref name="resumeAfter"/> or
/// from now on. The headers go out at once, so that a client knows it is connected before the first event.
/// </summary>
internal sealed partial class EventStreamResult(string? tenant, string? topic, long? resumeAfter) : IResult
{
    // Events read at a time; a full page is followed at once by the next.
    private const int Page = 500;

    private static readonly TimeSpan LongestPollInterval = TimeSpan.FromSeconds(1);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var monitor = services.GetRequiredService<IOutboxMonitor>();
        var time = services.GetRequiredService<TimeProvider>();
        var pollInterval = TimeSpan.FromTicks(Math.Min(services.GetRequiredService<IOptions<OutboxOptions>>().Value.PollInterval.Ticks, LongestPollInterval.Ticks));
        var logger = services.GetRequiredService<ILogger<EventStreamResult>>();

        // A stream ends when the client goes away, or when this node stops: the client then resumes on another with
        // Last-Event-ID, and the stop need not wait for it.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        var aborted = ended.Token;

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            // Without Last-Event-ID the stream starts after the newest event now recorded: only new events are sent.
            var after = resumeAfter ?? (await monitor.ReadAsync(tenant, topic, afterId: null, take: 1, aborted)).FirstOrDefault()?.Id ?? 0;
            await response.Body.FlushAsync(aborted);
            await SseFormatter.WriteAsync(Follow(monitor, time, pollInterval, after, aborted), response.Body, Format, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away, or this node stops: the end of every stream.
        }
        catch (Exception exception) when (response.HasStarted)
        {
            // Nothing more can be said on this response; the client reconnects with Last-Event-ID and resumes.
            LogStreamFailed(logger, exception);
        }
    }

    private async IAsyncEnumerable<SseItem<PublishedEvent>> Follow(
        IOutboxMonitor monitor, TimeProvider time, TimeSpan pollInterval, long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var events = await monitor.ReadAsync(tenant, topic, after, Page, cancellationToken);
            foreach (var published in events)
            {
                after = published.Id;
                yield return new SseItem<PublishedEvent>(published, published.Topic) { EventId = published.Id.ToString(CultureInfo.InvariantCulture) };
            }

            // A full page means more may be waiting already.
            if (events.Count < Page)
                await Task.Delay(pollInterval, time, cancellationToken);
        }
    }

    private static void Format(SseItem<PublishedEvent> item, IBufferWriter<byte> buffer)
    {
        using var writer = new Utf8JsonWriter(buffer);
        JsonSerializer.Serialize(writer, item.Data, ApiJsonContext.Default.PublishedEvent);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An outbox event stream failed; the client may resume with Last-Event-ID")]
    private static partial void LogStreamFailed(ILogger logger, Exception exception);
}
