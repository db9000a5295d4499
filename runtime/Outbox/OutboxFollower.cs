using System.Runtime.CompilerServices;

namespace OrleansSync.Runtime.Outbox;

/// <summary>Following the outbox as it grows: what a live view of the events (a stream, the dashboard) reads.</summary>
public static class OutboxFollower
{
    // Events read at a time; a full page is followed at once by the next.
    private const int Page = 500;

    /// <summary>The id of the newest event recorded now (0 when none): following from it sends only what comes next.</summary>
    public static async Task<long> NewestIdAsync(this IOutboxMonitor monitor, string? tenant, string? topic, CancellationToken cancellationToken)
        => (await monitor.ReadAsync(tenant, topic, afterId: null, take: 1, cancellationToken)).FirstOrDefault()?.Id ?? 0;

    /// <summary>
    /// Every event recorded after <paramref name="afterId"/>, in order, as it comes: the monitor is asked for the events
    /// after the last one seen every <paramref name="pollInterval"/>, until <paramref name="cancellationToken"/> ends it.
    /// </summary>
    public static async IAsyncEnumerable<PublishedEvent> FollowAsync(
        this IOutboxMonitor monitor, string? tenant, string? topic, long afterId, TimeSpan pollInterval, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var events = await monitor.ReadAsync(tenant, topic, afterId, Page, cancellationToken);
            foreach (var published in events)
            {
                afterId = published.Id;
                yield return published;
            }

            // A full page means more may be waiting already.
            if (events.Count < Page)
                await Task.Delay(pollInterval, time, cancellationToken);
        }
    }
}
