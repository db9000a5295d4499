namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// A daily request quota per portal that, as HubSpot's does, resets at midnight in the account's time zone (on the
/// sandbox clock, so moving the clock past midnight resets it).
/// </summary>
public sealed class DailyQuota(int limit)
{
    private readonly Dictionary<long, (DateOnly Day, int Used)> _used = [];
    private readonly Lock _lock = new();

    public int Limit { get; } = limit;

    public int Remaining(HubSpotPortal portal, DateTimeOffset now)
    {
        lock (_lock)
            return Limit - Used(portal, now);
    }

    /// <summary>Counts a request; false (and not counted) when the day's quota is used up.</summary>
    public bool TryConsume(HubSpotPortal portal, DateTimeOffset now, out int remaining)
    {
        lock (_lock)
        {
            var used = Used(portal, now);
            if (used >= Limit)
            {
                remaining = 0;
                return false;
            }

            _used[portal.PortalId] = (portal.Account.LocalDate(now), used + 1);
            remaining = Limit - used - 1;
            return true;
        }
    }

    private int Used(HubSpotPortal portal, DateTimeOffset now)
        => _used.TryGetValue(portal.PortalId, out var day) && day.Day == portal.Account.LocalDate(now) ? day.Used : 0;
}
