using System.Buffers;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansSync.Api.Hosting;
using OrleansSync.Runtime.Outbox;

namespace OrleansSync.Api.Operators;

/// <summary>
/// <c>GET /api/events/stream</c>: the outbox's events as server-sent events, after <paramref name="resumeAfter"/> or
/// from now on, each with its id as <c>id:</c> (for <c>Last-Event-ID</c>) and its topic as <c>event:</c>.
/// </summary>
internal sealed class EventStreamResult(string? tenant, string? topic, long? resumeAfter) : IResult
{
    private static readonly TimeSpan LongestPollInterval = TimeSpan.FromSeconds(1);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var monitor = services.GetRequiredService<IOutboxMonitor>();
        var time = services.GetRequiredService<TimeProvider>();
        var pollInterval = TimeSpan.FromTicks(Math.Min(services.GetRequiredService<IOptions<OutboxOptions>>().Value.PollInterval.Ticks, LongestPollInterval.Ticks));
        return ServerSentEvents.WriteAsync(
            httpContext,
            async aborted =>
            {
                // Without Last-Event-ID the stream starts after the newest event now recorded: only new events are sent.
                var after = resumeAfter ?? await monitor.NewestIdAsync(tenant, topic, aborted);
                return Items(monitor.FollowAsync(tenant, topic, after, pollInterval, time, aborted));
            },
            Format,
            services.GetRequiredService<ILogger<EventStreamResult>>());
    }

    private static async IAsyncEnumerable<SseItem<PublishedEvent>> Items(IAsyncEnumerable<PublishedEvent> events)
    {
        await foreach (var published in events)
            yield return new SseItem<PublishedEvent>(published, published.Topic) { EventId = published.Id.ToString(CultureInfo.InvariantCulture) };
    }

    private static void Format(SseItem<PublishedEvent> item, IBufferWriter<byte> buffer)
    {
        using var writer = new Utf8JsonWriter(buffer);
        JsonSerializer.Serialize(writer, item.Data, ApiJsonContext.Default.PublishedEvent);
    }
}
