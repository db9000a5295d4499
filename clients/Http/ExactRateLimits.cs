using System.Threading.RateLimiting;

namespace OrleansSync.Clients.Http;

/// <summary>Helpers for the limits the services enforce, applied before sending so that the services never have to refuse.</summary>
public static class ExactRateLimits
{
    /// <summary>At most <paramref name="limit"/> requests in flight; the rest wait their turn, oldest first.</summary>
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
