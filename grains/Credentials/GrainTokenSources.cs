using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Grains.Credentials;

/// <summary>
/// Where the clients get tokens on a silo: from the credential grains, through a cache of access tokens until a
/// minute before they expire, so that a call costs a grain call only once an hour or so per connection.
/// </summary>
public sealed class GrainTokenSources(IGrainFactory grains, [FromKeyedServices(GrainClock.Key)] TimeProvider grainClock) : IQuickBooksTokenSource, IHubSpotTokenSource
{
    private readonly ConcurrentDictionary<string, AccessGrant> _cache = new();

    public ValueTask<string> GetAccessTokenAsync(string realmId, CancellationToken cancellationToken)
        => CachedOrAsync($"qbo:{realmId}", () => grains.QuickBooksConnection(realmId).GetAccessTokenAsync());

    public async ValueTask<string> RefreshAccessTokenAsync(string realmId, string rejectedToken, CancellationToken cancellationToken)
        => Keep($"qbo:{realmId}", await grains.QuickBooksConnection(realmId).RefreshAsync(rejectedToken));

    public ValueTask<string> GetAccessTokenAsync(long portalId, CancellationToken cancellationToken)
        => CachedOrAsync($"hubspot:{portalId.ToString(CultureInfo.InvariantCulture)}", () => grains.HubSpotCredentials(portalId).GetAccessTokenAsync());

    public async ValueTask<string> RefreshAccessTokenAsync(long portalId, string rejectedToken, CancellationToken cancellationToken)
        => Keep($"hubspot:{portalId.ToString(CultureInfo.InvariantCulture)}", await grains.HubSpotCredentials(portalId).RefreshAsync(rejectedToken));

    private async ValueTask<string> CachedOrAsync(string key, Func<Task<AccessGrant>> fetch)
    {
        if (_cache.TryGetValue(key, out var cached) && grainClock.GetUtcNow() < cached.ExpiresAt - TimeSpan.FromMinutes(1))
            return cached.AccessToken!;
        return Keep(key, await fetch());
    }

    private string Keep(string key, AccessGrant grant)
    {
        if (grant.AccessToken is null)
        {
            _cache.TryRemove(key, out _);
            throw new ConnectionUnavailableException(grant.Problem ?? "The connection has no access token.", grant.Retryable);
        }

        _cache[key] = grant;
        return grant.AccessToken;
    }
}
