using System.Globalization;
using System.Text.Json;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Runtime.Metrics;

namespace OrleansSync.Grains.Sync;

/// <summary>
/// The HubSpot and QuickBooks budgets in use in this silo (B4), as a section of its stats: the limiters live in the
/// process whose grains send the requests — the silo owning the tenant — so that is where they are read, without
/// calling (and waiting for) any grain.
/// </summary>
public sealed class RateLimitBudgets(QuickBooksRateLimits quickBooks, HubSpotRateLimits hubSpot) : ISiloStatsContributor
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Name => RateLimitUsage.SectionName;

    public JsonElement Read() => JsonSerializer.SerializeToElement(new RateLimitUsage(
        quickBooks.Realms.ToDictionary(realm => realm, quickBooks.Usage),
        hubSpot.Portals.ToDictionary(portal => portal.ToString(CultureInfo.InvariantCulture), hubSpot.Usage)), Json);
}
