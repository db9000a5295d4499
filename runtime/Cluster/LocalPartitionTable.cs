using OrleansSync.Runtime.Storage;

namespace OrleansSync.Runtime.Cluster;

/// <summary>
/// This silo's view of the partitions it holds: epoch and expiry of each lease, and the background work (reminder
/// ticks, inbox deliveries) running on each. The partition manager updates it; the call path reads it.
/// </summary>
internal sealed class LocalPartitionTable
{
    private readonly Lease?[] _leases;
    private readonly WorkCounter[] _work;
    private readonly TimeProvider _time;

    public LocalPartitionTable(int partitionCount, string siloId, TimeProvider time)
    {
        _leases = new Lease?[partitionCount];
        _work = Enumerable.Range(0, partitionCount).Select(_ => new WorkCounter()).ToArray();
        SiloId = siloId;
        _time = time;
    }

    public string SiloId { get; }

    public int PartitionCount => _leases.Length;

    /// <summary>True while this silo holds an unexpired lease on the partition and is not handing it off.</summary>
    public bool IsOwned(int partition)
        => Volatile.Read(ref _leases[partition]) is { Releasing: false } lease && _time.GetUtcNow() < lease.ExpiresAt;

    public PartitionFence? TryGetFence(int partition)
        => IsOwned(partition) ? new PartitionFence(partition, SiloId, _leases[partition]!.Epoch) : null;

    public long? EpochOf(int partition) => Volatile.Read(ref _leases[partition])?.Epoch;

    /// <summary>Partitions currently owned (not being handed off).</summary>
    public List<int> OwnedPartitions()
    {
        var now = _time.GetUtcNow();
        var owned = new List<int>();
        for (var partition = 0; partition < _leases.Length; partition++)
        {
            if (Volatile.Read(ref _leases[partition]) is { Releasing: false } lease && now < lease.ExpiresAt)
                owned.Add(partition);
        }

        return owned;
    }

    /// <summary>Partitions this silo holds a lease record for, including ones being handed off or past their expiry.</summary>
    public List<int> HeldPartitions()
    {
        var held = new List<int>();
        for (var partition = 0; partition < _leases.Length; partition++)
        {
            if (Volatile.Read(ref _leases[partition]) is not null)
                held.Add(partition);
        }

        return held;
    }

    public void SetOwned(int partition, long epoch, DateTimeOffset expiresAt)
        => Volatile.Write(ref _leases[partition], new Lease(epoch, expiresAt, Releasing: false));

    /// <summary>Extends a lease this silo still holds at the same epoch.</summary>
    public void Renew(int partition, long epoch, DateTimeOffset expiresAt)
    {
        if (Volatile.Read(ref _leases[partition]) is { } lease && lease.Epoch == epoch)
            Volatile.Write(ref _leases[partition], lease with { ExpiresAt = expiresAt });
    }

    /// <summary>Stops new work on the partition: calls go elsewhere, background workers skip it.</summary>
    public void BeginRelease(int partition)
    {
        if (Volatile.Read(ref _leases[partition]) is { } lease)
            Volatile.Write(ref _leases[partition], lease with { Releasing = true });
    }

    public void CancelRelease(int partition)
    {
        if (Volatile.Read(ref _leases[partition]) is { Releasing: true } lease)
            Volatile.Write(ref _leases[partition], lease with { Releasing = false });
    }

    public void SetNotOwned(int partition) => Volatile.Write(ref _leases[partition], null);

    /// <summary>Registers background work on a partition; false when the partition is not (or no longer) owned.</summary>
    public bool TryEnterWork(int partition)
    {
        if (!IsOwned(partition))
            return false;
        _work[partition].Enter();
        if (IsOwned(partition))
            return true;
        _work[partition].Exit();
        return false;
    }

    public void ExitWork(int partition) => _work[partition].Exit();

    /// <summary>Completes when no background work runs on the partition any more.</summary>
    public Task WhenWorkDrained(int partition) => _work[partition].WhenDrained();

    private sealed record Lease(long Epoch, DateTimeOffset ExpiresAt, bool Releasing);

    private sealed class WorkCounter
    {
        private readonly Lock _lock = new();
        private int _running;
        private TaskCompletionSource? _drained;

        public void Enter()
        {
            lock (_lock)
                _running++;
        }

        public void Exit()
        {
            TaskCompletionSource? drained = null;
            lock (_lock)
            {
                if (--_running == 0)
                    (drained, _drained) = (_drained, null);
            }

            drained?.TrySetResult();
        }

        public Task WhenDrained()
        {
            lock (_lock)
            {
                if (_running == 0)
                    return Task.CompletedTask;
                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _drained.Task;
            }
        }
    }
}
