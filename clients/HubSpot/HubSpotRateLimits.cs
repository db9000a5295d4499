using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OrleansSync.Clients.Http;

namespace OrleansSync.Clients.HubSpot;

/// <summary>
/// HubSpot's limits per account, held in this process: 110 requests in any 10 seconds, and 5 searches in any second
/// (searches count only against the second). All calls for an account come from its tenant's grains, on one silo.
/// </summary>
public sealed class HubSpotRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _requests;
    private readonly PartitionedRateLimiter<string> _searches;

    public HubSpotRateLimits(IOptions<HubSpotOptions> options, TimeProvider time)
    {
        var settings = options.Value;
        _requests = PartitionedRateLimiter.Create<string, string>(portal => RateLimitPartition.Get(portal, _ => new SlidingWindowsRateLimiter(time, (settings.RequestsPerTenSeconds, TimeSpan.FromSeconds(10)))));
        _searches = PartitionedRateLimiter.Create<string, string>(portal => RateLimitPartition.Get(portal, _ => new SlidingWindowsRateLimiter(time, (settings.SearchRequestsPerSecond, TimeSpan.FromSeconds(1)))));
    }

    public ValueTask<RateLimitLease> WaitAsync(long portalId, bool search, CancellationToken cancellationToken)
        => ExactRateLimits.WaitAsync(search ? _searches : _requests, portalId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);

    public RateLimiterStatistics? Statistics(long portalId, bool search)
        => (search ? _searches : _requests).GetStatistics(portalId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose()
    {
        _requests.Dispose();
        _searches.Dispose();
    }
}
