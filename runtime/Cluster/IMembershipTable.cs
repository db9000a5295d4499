namespace OrleansSync.Runtime.Cluster;

public enum SiloStatus
{
    /// <summary>Registered, not yet serving.</summary>
    Joining,

    /// <summary>Serving and heartbeating.</summary>
    Active,

    /// <summary>Handing its partitions over before it stops.</summary>
    ShuttingDown,

    /// <summary>Stopped cleanly.</summary>
    Stopped,

    /// <summary>Stopped heartbeating without saying goodbye.</summary>
    Dead,
}

/// <summary>One silo as the membership table records it.</summary>
public sealed record SiloRecord(
    string SiloId,
    Uri Address,
    string HostName,
    SiloStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeat,
    int PartitionsOwned,
    int Activations)
{
    /// <summary>The status an observer should believe: an active silo whose heartbeat is older than <paramref name="deadAfter"/> is dead.</summary>
    public SiloStatus EffectiveStatus(DateTimeOffset now, TimeSpan deadAfter)
        => Status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.ShuttingDown && now - LastHeartbeat > deadAfter ? SiloStatus.Dead : Status;
}

/// <summary>Silos and their heartbeats: PostgreSQL in a cluster, memory in the single-process default.</summary>
public interface IMembershipTable
{
    Task UpsertAsync(SiloRecord silo);

    Task HeartbeatAsync(string siloId, DateTimeOffset now, int partitionsOwned, int activations);

    Task SetStatusAsync(string siloId, SiloStatus status, DateTimeOffset now);

    Task<IReadOnlyList<SiloRecord>> ReadAllAsync();

    /// <summary>Removes silos that stopped or died before <paramref name="before"/>.</summary>
    Task<int> RemoveDefunctAsync(DateTimeOffset before);
}
