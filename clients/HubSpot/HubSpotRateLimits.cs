using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OrleansSync.Clients.Http;
using OrleansSync.Clients.QuickBooks;

namespace OrleansSync.Clients.HubSpot;

/// <summary>
/// HubSpot's limits per account, held in this process: 110 requests in any 10 seconds, and 5 searches in any second
/// (searches count only against the second). All calls for an account come from its tenant's grains, on one silo.
/// </summary>
public sealed class HubSpotRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _requests;
    private readonly PartitionedRateLimiter<string> _searches;
    private readonly int _requestsPerTenSeconds;

    // Each account's ten-second window, as last created, for operators to see (B4).
    private readonly ConcurrentDictionary<string, SlidingWindowsRateLimiter> _windows = new(StringComparer.Ordinal);

    public HubSpotRateLimits(IOptions<HubSpotOptions> options, TimeProvider time)
    {
        var settings = options.Value;
        _requestsPerTenSeconds = settings.RequestsPerTenSeconds;
        _requests = PartitionedRateLimiter.Create<string, string>(portal => RateLimitPartition.Get(portal, key => _windows[key] = new SlidingWindowsRateLimiter(time, (settings.RequestsPerTenSeconds, TimeSpan.FromSeconds(10)))));
        _searches = PartitionedRateLimiter.Create<string, string>(portal => RateLimitPartition.Get(portal, _ => new SlidingWindowsRateLimiter(time, (settings.SearchRequestsPerSecond, TimeSpan.FromSeconds(1)))));
    }

    public ValueTask<RateLimitLease> WaitAsync(long portalId, bool search, CancellationToken cancellationToken)
        => ExactRateLimits.WaitAsync(search ? _searches : _requests, portalId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);

    public RateLimiterStatistics? Statistics(long portalId, bool search)
        => (search ? _searches : _requests).GetStatistics(portalId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The accounts this process has sent requests for.</summary>
    public IReadOnlyCollection<long> Portals => [.. _windows.Keys.Select(key => long.Parse(key, System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>How much of the account's ten-second budget is in use now: read-only, for operators (B4).</summary>
    public HubSpotLimitUsage Usage(long portalId)
        => _windows.TryGetValue(portalId.ToString(System.Globalization.CultureInfo.InvariantCulture), out var limiter)
            ? new HubSpotLimitUsage(limiter.Usage().Windows[0].Used, _requestsPerTenSeconds, 10)
            : new HubSpotLimitUsage(0, _requestsPerTenSeconds, 10);

    public void Dispose()
    {
        _requests.Dispose();
        _searches.Dispose();
    }
}

/// <summary>An account's HubSpot budget in use: requests in the current window of <paramref name="WindowSeconds"/>, of <paramref name="Limit"/>.</summary>
public sealed record HubSpotLimitUsage(int Used, int Limit, int WindowSeconds);

/// <summary>The budgets in use in one process, by QuickBooks company and by HubSpot account (portal id).</summary>
public sealed record RateLimitUsage(IReadOnlyDictionary<string, QuickBooksLimitUsage> QuickBooks, IReadOnlyDictionary<string, HubSpotLimitUsage> HubSpot)
{
    /// <summary>Its section's name among a silo's stats.</summary>
    public const string SectionName = "rateLimits";
}
