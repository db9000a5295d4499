using System.ComponentModel.DataAnnotations;

namespace OrleansSync.Runtime;

/// <summary>How silos share the tenants. Configuration section <c>Cluster</c>.</summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Cluster";

    /// <summary>Tenants hash to this many partitions. Fixed for the life of a cluster's database.</summary>
    public int PartitionCount { get; set; } = 256;

    /// <summary>Shared by silos and api nodes; authenticates the internal grain-call endpoints. Required in a cluster.</summary>
    public string? ClusterSecret { get; set; }

    /// <summary>
    /// How long a partition lease lasts without renewal. A dead silo's partitions move to the survivors after at most
    /// <see cref="LeaseDuration"/> + <see cref="LeaseRenewInterval"/>; the defaults keep that under 10 seconds.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>How often a silo heartbeats, renews its leases and rebalances.</summary>
    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>At most this many partitions are handed off per round, so that a joining silo does not stall the cluster.</summary>
    public int MaxPartitionsMovedPerRound { get; set; } = 64;

    /// <summary>Rows of silos that stopped or died are kept this long for operators, then removed.</summary>
    public TimeSpan DeadSiloRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// A silo whose last heartbeat is older than this is dead: a lease's length (its leases have expired by then too),
    /// or three rounds when leases never expire (the single-process default).
    /// </summary>
    public TimeSpan SiloDeadAfter => LeaseDuration == Timeout.InfiniteTimeSpan ? LeaseRenewInterval * 3 : LeaseDuration;

    internal static ValidationResult? Validate(ClusterOptions options)
    {
        if (options.PartitionCount is < 1 or > 65536)
            return new ValidationResult("Cluster:PartitionCount must be between 1 and 65536.");
        if (options.LeaseRenewInterval <= TimeSpan.Zero)
            return new ValidationResult("Cluster:LeaseRenewInterval must be positive.");
        if (options.LeaseDuration != Timeout.InfiniteTimeSpan && options.LeaseDuration < options.LeaseRenewInterval * 2)
            return new ValidationResult("Cluster:LeaseDuration must be at least twice Cluster:LeaseRenewInterval, or a silo would lose leases between renewals.");
        if (options.MaxPartitionsMovedPerRound < 1)
            return new ValidationResult("Cluster:MaxPartitionsMovedPerRound must be at least 1.");
        return ValidationResult.Success;
    }
}

/// <summary>This silo. Configuration section <c>Silo</c>.</summary>
public sealed class SiloOptions
{
    public const string SectionName = "Silo";

    /// <summary>
    /// The address other nodes use for this silo's internal endpoints (e.g. <c>http://silo1:8080</c>). When not set,
    /// the first address the server listens on, with a wildcard host replaced by this machine's name.
    /// </summary>
    public Uri? AdvertisedAddress { get; set; }
}
