using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Grains.Health;

public sealed class SyncHealthState
{
    /// <summary>Every deal with a linked invoice, by deal id: in sync, excluded or failing, since when, and why.</summary>
    public Dictionary<string, DealHealth> Deals { get; set; } = [];
}

public sealed class DealHealth
{
    public DealSyncState State { get; set; }

    public string? Detail { get; set; }

    public DateTimeOffset Since { get; set; }
}

/// <summary>
/// A tenant's sync health (F22, key <c>{portalId}/sync-health</c>): what each deal last said of its invoice properties.
/// Deal grains call it directly from their turns when that changes; this grain never calls a deal (or anything else),
/// so such a call can never meet one coming the other way and wait for itself.
/// </summary>
public sealed class SyncHealthGrain([PersistentState("health")] IPersistentState<SyncHealthState> state) : Grain, ISyncHealthGrain
{
    /// <summary>Failures and exclusions listed at most; the counts are always whole.</summary>
    private const int Listed = 200;

    private Dictionary<string, DealHealth> Deals => state.State.Deals;

    public async Task ReportDealAsync(DealHealthReport report)
    {
        var known = Deals.GetValueOrDefault(report.DealId);
        if (report.State is not { } reported)
        {
            if (Deals.Remove(report.DealId))
                await state.WriteStateAsync();
            return;
        }

        if (known is not null && known.State == reported && known.Detail == report.Detail)
            return;
        Deals[report.DealId] = new DealHealth
        {
            State = reported,
            Detail = report.Detail,
            // A failure that goes on failing, with another message, has failed since it first did.
            Since = known is not null && known.State == reported ? known.Since : report.At,
        };
        await state.WriteStateAsync();
    }

    public Task<SyncHealthView> GetAsync()
    {
        var failing = Listing(DealSyncState.Failing);
        var excluded = Listing(DealSyncState.Excluded);
        return Task.FromResult(new SyncHealthView(
            Deals.Values.Count(d => d.State == DealSyncState.InSync),
            Deals.Values.Count(d => d.State == DealSyncState.Excluded),
            Deals.Values.Count(d => d.State == DealSyncState.Failing),
            failing,
            excluded));
    }

    private List<DealHealthEntry> Listing(DealSyncState which)
        => Deals.Where(d => d.Value.State == which)
            .OrderByDescending(d => d.Value.Since)
            .Take(Listed)
            .Select(d => new DealHealthEntry(d.Key, d.Value.State, d.Value.Detail, d.Value.Since))
            .ToList();
}
