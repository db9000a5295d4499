using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OrleansSync.Clients.Http;

namespace OrleansSync.Clients.QuickBooks;

/// <summary>
/// QuickBooks' limits per company, held in this process: 500 requests in any minute, 10 in any second, 10 in flight.
/// All the calls for one company come from the grains of its tenant, which live on one silo, so this one limiter
/// keeps the limit for the whole cluster.
/// </summary>
public sealed class QuickBooksRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public QuickBooksRateLimits(IOptions<QuickBooksOptions> options, TimeProvider time)
    {
        var settings = options.Value;
        // Concurrency first: a request holds its place in flight while it waits for its moment, so that it goes out
        // exactly when its windows allow it.
        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<string, string>(realm => RateLimitPartition.GetConcurrencyLimiter(realm, _ => ExactRateLimits.Concurrency(settings.ConcurrentRequests))),
            PartitionedRateLimiter.Create<string, string>(realm => RateLimitPartition.Get(realm, _ => new SlidingWindowsRateLimiter(time,
                (settings.RequestsPerMinute, TimeSpan.FromMinutes(1)),
                (settings.RequestsPerSecond, TimeSpan.FromSeconds(1))))));
    }

    /// <summary>Waits for this company's turn; dispose the lease when the response has been read.</summary>
    public ValueTask<RateLimitLease> WaitAsync(string realmId, CancellationToken cancellationToken) => ExactRateLimits.WaitAsync(_limiter, realmId, cancellationToken);

    /// <summary>How much of the budget is in use right now, for operators.</summary>
    public RateLimiterStatistics? Statistics(string realmId) => _limiter.GetStatistics(realmId);

    public void Dispose() => _limiter.Dispose();
}
