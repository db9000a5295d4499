using System.Collections.Concurrent;
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
    private readonly QuickBooksOptions _settings;

    // The windows of each company, as last created: the partitioned limiter hides its limiters, and operators want to
    // see how much of each window is used (B4). A limiter dropped when idle is replaced here by its successor.
    private readonly ConcurrentDictionary<string, SlidingWindowsRateLimiter> _windows = new(StringComparer.Ordinal);

    public QuickBooksRateLimits(IOptions<QuickBooksOptions> options, TimeProvider time)
    {
        var settings = _settings = options.Value;
        // Concurrency first: a request holds its place in flight while it waits for its moment, so that it goes out
        // exactly when its windows allow it.
        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<string, string>(realm => RateLimitPartition.GetConcurrencyLimiter(realm, _ => ExactRateLimits.Concurrency(settings.ConcurrentRequests))),
            PartitionedRateLimiter.Create<string, string>(realm => RateLimitPartition.Get(realm, key => _windows[key] = new SlidingWindowsRateLimiter(time,
                (settings.RequestsPerMinute, TimeSpan.FromMinutes(1)),
                (settings.RequestsPerSecond, TimeSpan.FromSeconds(1))))));
    }

    /// <summary>The companies this process has sent requests for.</summary>
    public IReadOnlyCollection<string> Realms => [.. _windows.Keys];

    /// <summary>How much of the company's budget is in use now: read-only, for operators (B4).</summary>
    public QuickBooksLimitUsage Usage(string realmId)
    {
        if (!_windows.TryGetValue(realmId, out var limiter))
            return new QuickBooksLimitUsage(0, _settings.RequestsPerMinute, 0, _settings.RequestsPerSecond, 0, _settings.ConcurrentRequests);
        var usage = limiter.Usage();
        return new QuickBooksLimitUsage(usage.Windows[0].Used, _settings.RequestsPerMinute, usage.Windows[1].Used, _settings.RequestsPerSecond, usage.InFlight, _settings.ConcurrentRequests);
    }

    /// <summary>Waits for this company's turn; dispose the lease when the response has been read.</summary>
    public ValueTask<RateLimitLease> WaitAsync(string realmId, CancellationToken cancellationToken) => ExactRateLimits.WaitAsync(_limiter, realmId, cancellationToken);

    /// <summary>How much of the budget is in use right now, for operators.</summary>
    public RateLimiterStatistics? Statistics(string realmId) => _limiter.GetStatistics(realmId);

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// A company's QuickBooks budget in use: requests in the last minute and second (each of its limit), and requests in
/// flight (of the concurrent ones allowed).
/// </summary>
public sealed record QuickBooksLimitUsage(int UsedLastMinute, int PerMinute, int UsedLastSecond, int PerSecond, int InFlight, int Concurrent);
