using System.Collections.Concurrent;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Api.Webhooks;

/// <summary>
/// Which tenant holds a QuickBooks company, for routing its webhooks: asked of the company's connection grain, and
/// remembered for a while, because a burst of webhooks for one company should not cost a grain call each.
/// </summary>
public sealed class RealmOwners(IGrainFactory grains, TimeProvider time)
{
    private static readonly TimeSpan RememberOwner = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RememberNoOwner = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (long? PortalId, DateTimeOffset Until)> _owners = new(StringComparer.Ordinal);

    public async Task<long?> FindAsync(string realmId)
    {
        var now = time.GetUtcNow();
        if (_owners.TryGetValue(realmId, out var known) && known.Until > now)
            return known.PortalId;
        var owner = await grains.QuickBooksConnection(realmId).GetOwnerAsync();
        _owners[realmId] = (owner, now + (owner is null ? RememberNoOwner : RememberOwner));
        return owner;
    }
}
