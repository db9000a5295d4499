using System.Threading.RateLimiting;

namespace OrleansSync.Clients.Http;

/// <summary>
/// Limits that a service enforces as "at most N requests in any interval of W", applied before sending so the
/// service never has to refuse. A sliding window of segments releases a permit only after the segment it was taken
/// in has slid out — between W − segment and W after it was taken — so the window is widened by one segment:
/// then every permit is held for at least W, and no interval of W ever sees more than N requests.
/// </summary>
public static class ExactRateLimits
{
    public static SlidingWindowRateLimiterOptions SlidingWindow(int limit, TimeSpan window, TimeSpan segment)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var segments = (int)Math.Ceiling(window / segment) + 1;
        return new SlidingWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = segment * segments,
            SegmentsPerWindow = segments,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        };
    }

    public static ConcurrencyLimiterOptions Concurrency(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return new ConcurrencyLimiterOptions { PermitLimit = limit, QueueLimit = int.MaxValue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst };
    }

    /// <summary>Waits for a permit; throws only when the limiter refuses outright (which a queue without limit never does).</summary>
    public static async ValueTask<RateLimitLease> WaitAsync(PartitionedRateLimiter<string> limiter, string key, CancellationToken cancellationToken)
    {
        var lease = await limiter.AcquireAsync(key, 1, cancellationToken);
        if (lease.IsAcquired)
            return lease;
        lease.Dispose();
        throw new InvalidOperationException($"The rate limiter refused a permit for '{key}'.");
    }
}
