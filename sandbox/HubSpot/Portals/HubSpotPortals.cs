using System.Collections.Concurrent;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// The portals the sandbox knows. A portal comes into being when an app is installed in it (OAuth authorize with a
/// <c>portalId</c>, or the admin token shortcut); the demo portal is made at start with its data.
/// </summary>
public sealed class HubSpotPortals(SandboxClock clock)
{
    private readonly ConcurrentDictionary<long, HubSpotPortal> _portals = new();

    public HubSpotPortal GetOrCreate(long portalId)
        => _portals.GetOrAdd(portalId, id => new HubSpotPortal(Defaults(id, clock.GetUtcNow()), clock.GetUtcNow()));

    public HubSpotPortal? Find(long portalId) => _portals.GetValueOrDefault(portalId);

    public IReadOnlyList<HubSpotPortal> All => [.. _portals.Values.OrderBy(p => p.PortalId)];

    /// <summary>
    /// The demo portal (and the extra tenants' portals) has the settings of the product's demo: US dollars, pounds and
    /// euros as extra currencies.
    /// </summary>
    private static HubSpotAccount Defaults(long portalId, DateTimeOffset now)
        => DemoData.IsDemoLikePortal(portalId)
            ? HubSpotAccount.Standard(portalId, now) with { AdditionalCurrencies = ["GBP", "EUR"] }
            : HubSpotAccount.Standard(portalId, now);
}
