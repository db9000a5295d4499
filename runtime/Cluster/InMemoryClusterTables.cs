using OrleansSync.Runtime.Storage;

namespace OrleansSync.Runtime.Cluster;

/// <summary>Membership kept in memory: the single-process default, where this silo is the whole cluster.</summary>
internal sealed class InMemoryMembershipTable : IMembershipTable
{
    private readonly Dictionary<string, SiloRecord> _silos = [];
    private readonly Lock _lock = new();

    public Task UpsertAsync(SiloRecord silo)
    {
        lock (_lock)
            _silos[silo.SiloId] = silo;
        return Task.CompletedTask;
    }

    public Task HeartbeatAsync(string siloId, DateTimeOffset now, int partitionsOwned, int activations)
    {
        lock (_lock)
        {
            if (_silos.TryGetValue(siloId, out var silo))
                _silos[siloId] = silo with { LastHeartbeat = now, PartitionsOwned = partitionsOwned, Activations = activations };
        }

        return Task.CompletedTask;
    }

    public Task SetStatusAsync(string siloId, SiloStatus status, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_silos.TryGetValue(siloId, out var silo))
                _silos[siloId] = silo with { Status = status, LastHeartbeat = now };
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SiloRecord>> ReadAllAsync()
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<SiloRecord>>([.. _silos.Values]);
    }

    public Task<int> RemoveDefunctAsync(DateTimeOffset before)
    {
        lock (_lock)
        {
            var defunct = _silos.Values.Where(s => s.Status is SiloStatus.Stopped or SiloStatus.Dead && s.LastHeartbeat < before).Select(s => s.SiloId).ToList();
            defunct.ForEach(id => _silos.Remove(id));
            return Task.FromResult(defunct.Count);
        }
    }
}

/// <summary>Partition leases kept in memory, with the same rules as the PostgreSQL table.</summary>
internal sealed class InMemoryPartitionLeaseTable(IMembershipTable membership) : IPartitionLeaseTable
{
    private readonly Lock _lock = new();
    private PartitionLease[] _leases = [];

    public Task InitializeAsync(int partitionCount)
    {
        lock (_lock)
        {
            if (_leases.Length == 0)
                _leases = Enumerable.Range(0, partitionCount).Select(p => new PartitionLease(p, null, 0, DateTimeOffset.MinValue)).ToArray();
            else if (_leases.Length != partitionCount)
                throw new InvalidOperationException($"The cluster has {_leases.Length} partitions; this silo is configured for {partitionCount}.");
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PartitionLease>> RenewAsync(string siloId, DateTimeOffset now, DateTimeOffset expiresAt)
    {
        lock (_lock)
        {
            var renewed = new List<PartitionLease>();
            foreach (var lease in _leases.Where(l => l.OwnerSiloId == siloId))
            {
                _leases[lease.Partition] = lease with { ExpiresAt = expiresAt };
                renewed.Add(_leases[lease.Partition]);
            }

            return Task.FromResult<IReadOnlyList<PartitionLease>>(renewed);
        }
    }

    public Task<IReadOnlyList<PartitionLease>> AcquireAsync(string siloId, int maxCount, DateTimeOffset expiredBefore, DateTimeOffset expiresAt)
    {
        lock (_lock)
        {
            var acquired = new List<PartitionLease>();
            foreach (var lease in _leases.Where(l => l.ExpiresAt < expiredBefore).Take(maxCount).ToList())
            {
                _leases[lease.Partition] = new PartitionLease(lease.Partition, siloId, lease.Epoch + 1, expiresAt);
                acquired.Add(_leases[lease.Partition]);
            }

            return Task.FromResult<IReadOnlyList<PartitionLease>>(acquired);
        }
    }

    public Task<bool> ReleaseAsync(string siloId, int partition, long epoch, DateTimeOffset now)
    {
        lock (_lock)
        {
            var lease = _leases[partition];
            if (lease.OwnerSiloId != siloId || lease.Epoch != epoch)
                return Task.FromResult(false);
            _leases[partition] = lease with { OwnerSiloId = null, ExpiresAt = now };
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<PartitionLease>> ReadAllAsync()
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<PartitionLease>>([.. _leases]);
    }

    public async Task<IReadOnlyList<PartitionPlacement>> ReadPlacementAsync(DateTimeOffset now)
    {
        var addresses = (await membership.ReadAllAsync()).ToDictionary(s => s.SiloId, s => s.Address);
        lock (_lock)
        {
            return _leases
                .Where(l => l.OwnerSiloId is not null && l.ExpiresAt > now && addresses.ContainsKey(l.OwnerSiloId))
                .Select(l => new PartitionPlacement(l.Partition, l.OwnerSiloId!, addresses[l.OwnerSiloId!], l.Epoch))
                .ToList();
        }
    }

    /// <summary>Fencing for in-memory tables: does the writer still hold its partition at the epoch it activated with?</summary>
    internal bool Holds(PartitionFence fence, DateTimeOffset now)
    {
        lock (_lock)
        {
            return _leases.Length > fence.Partition && _leases[fence.Partition] is var lease
                && lease.OwnerSiloId == fence.SiloId && lease.Epoch == fence.Epoch && lease.ExpiresAt > now;
        }
    }

    /// <summary>Throws <see cref="PartitionLeaseLostException"/> unless the writer still holds its partition.</summary>
    internal void EnsureHolds(PartitionFence fence, DateTimeOffset now, string refusedWrite)
    {
        if (!Holds(fence, now))
            throw PartitionLeaseLostException.For(fence, refusedWrite);
    }
}
