using OrleansSync.Runtime.Cluster;

namespace OrleansSync.Runtime.Calls;

/// <summary>
/// Which silo serves each partition, read from the lease table and cached. A "not owner" answer or an unreachable
/// silo makes the caller ask for a refresh; refreshes are shared and spaced, so a failover does not flood the database.
/// </summary>
internal sealed class PlacementDirectory(IPartitionLeaseTable leases, TimeProvider time)
{
    private static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private PartitionPlacement?[]? _placements;
    private long _refreshedAt;

    public async ValueTask<PartitionPlacement?> GetOwnerAsync(int partition, bool refresh, CancellationToken cancellationToken)
    {
        var placements = Volatile.Read(ref _placements);
        if (placements is null || refresh)
            placements = await RefreshAsync(placements, cancellationToken);
        return partition < placements.Length ? placements[partition] : null;
    }

    private async Task<PartitionPlacement?[]> RefreshAsync(PartitionPlacement?[]? seen, CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var current = Volatile.Read(ref _placements);
            // Someone else refreshed while this caller waited, or a refresh just happened: use that.
            if (current is not null && (!ReferenceEquals(current, seen) || time.GetElapsedTime(_refreshedAt) < MinimumRefreshInterval))
                return current;

            var rows = await leases.ReadPlacementAsync(time.GetUtcNow());
            var placements = new PartitionPlacement?[rows.Count == 0 ? 0 : rows.Max(r => r.Partition) + 1];
            foreach (var row in rows)
                placements[row.Partition] = row;
            Volatile.Write(ref _placements, placements);
            _refreshedAt = time.GetTimestamp();
            return placements;
        }
        finally
        {
            _refreshing.Release();
        }
    }
}
