namespace OrleansSync.Runtime.Cluster;

/// <summary>One partition's lease: who holds it, since which change of owner (the epoch), and until when.</summary>
public sealed record PartitionLease(int Partition, string? OwnerSiloId, long Epoch, DateTimeOffset ExpiresAt);

/// <summary>Where a partition is served right now, for routing calls.</summary>
public sealed record PartitionPlacement(int Partition, string SiloId, Uri Address, long Epoch);

/// <summary>
/// The partition leases: PostgreSQL in a cluster, memory in the single-process default. Every change of owner
/// increases the partition's epoch; writes carry the epoch they were made under (fencing).
/// </summary>
public interface IPartitionLeaseTable
{
    /// <summary>Creates the partition rows if needed; fails when the database was set up with another partition count.</summary>
    Task InitializeAsync(int partitionCount);

    /// <summary>Extends every lease <paramref name="siloId"/> still holds, and returns them.</summary>
    Task<IReadOnlyList<PartitionLease>> RenewAsync(string siloId, DateTimeOffset now, DateTimeOffset expiresAt);

    /// <summary>
    /// Takes up to <paramref name="maxCount"/> partitions that nobody holds, or whose lease expired before
    /// <paramref name="expiredBefore"/>, raising each one's epoch. Concurrent callers never take the same partition.
    /// </summary>
    Task<IReadOnlyList<PartitionLease>> AcquireAsync(string siloId, int maxCount, DateTimeOffset expiredBefore, DateTimeOffset expiresAt);

    /// <summary>Gives a partition up, if <paramref name="siloId"/> still holds it at <paramref name="epoch"/>.</summary>
    Task<bool> ReleaseAsync(string siloId, int partition, long epoch, DateTimeOffset now);

    Task<IReadOnlyList<PartitionLease>> ReadAllAsync();

    /// <summary>The live owner and address of every partition that has one at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<PartitionPlacement>> ReadPlacementAsync(DateTimeOffset now);
}
