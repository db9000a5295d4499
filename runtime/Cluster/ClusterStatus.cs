using Microsoft.Extensions.Options;

namespace OrleansSync.Runtime.Cluster;

/// <summary>One silo as operators see it.</summary>
public sealed record SiloView(
    string SiloId,
    Uri Address,
    string HostName,
    SiloStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeat,
    int PartitionsOwned,
    int Activations);

/// <summary>The cluster as operators see it: which silos there are and what each holds.</summary>
public interface IClusterStatus
{
    Task<IReadOnlyList<SiloView>> ReadSilosAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Reads the membership table and counts live leases per silo. Status is what an observer should believe now: a
/// silo whose heartbeat is older than a lease is dead, whatever its row says.
/// </summary>
internal sealed class ClusterStatus(IMembershipTable membership, IPartitionLeaseTable leases, IOptions<ClusterOptions> options, TimeProvider time) : IClusterStatus
{
    public async Task<IReadOnlyList<SiloView>> ReadSilosAsync(CancellationToken cancellationToken = default)
    {
        var silos = await membership.ReadAllAsync();
        var now = time.GetUtcNow();
        var owned = (await leases.ReadAllAsync())
            .Where(l => l.OwnerSiloId is not null && l.ExpiresAt > now)
            .GroupBy(l => l.OwnerSiloId!)
            .ToDictionary(g => g.Key, g => g.Count());
        var deadAfter = options.Value.SiloDeadAfter;
        return silos
            .Select(s => new SiloView(s.SiloId, s.Address, s.HostName, s.EffectiveStatus(now, deadAfter), s.StartedAt, s.LastHeartbeat, owned.GetValueOrDefault(s.SiloId), s.Activations))
            .ToList();
    }
}
