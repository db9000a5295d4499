namespace OrleansSync.Runtime.Inbox;

/// <summary>The inbox in memory, for the single-process default: the same rules as PostgreSQL, gone on restart.</summary>
internal sealed class InMemoryInboxStore : IInboxStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, SortedDictionary<long, Entry>> _partitions = [];
    private readonly Dictionary<(string Tenant, string Source, string EventId), InboxEventId> _known = [];
    private readonly Dictionary<int, long> _nextSequence = [];

    public Task<bool[]> AppendAsync(IReadOnlyList<PartitionedEvent> events, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var accepted = new bool[events.Count];
        lock (_lock)
        {
            for (var i = 0; i < events.Count; i++)
            {
                var (inboxEvent, partition) = events[i];
                var sequence = _nextSequence.GetValueOrDefault(partition, 1);
                _nextSequence[partition] = sequence + 1;
                if (!_known.TryAdd((inboxEvent.TenantId, inboxEvent.Source, inboxEvent.EventId), new InboxEventId(partition, sequence)))
                    continue;
                Partition(partition)[sequence] = new Entry(inboxEvent, receivedAt);
                accepted[i] = true;
            }
        }

        return Task.FromResult(accepted);
    }

    public Task<IReadOnlyList<int>> PartitionsWithPendingAsync(IReadOnlyList<int> partitions, CancellationToken cancellationToken)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<int>>(partitions.Where(p => _partitions.TryGetValue(p, out var events) && events.Values.Any(e => e.Status == Status.Pending)).ToList());
    }

    public Task<IReadOnlyList<InboxMessage>> ReadPendingAsync(int partition, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var pending = Partition(partition)
                .Where(e => e.Value.Status == Status.Pending)
                .Take(limit)
                .Select(e => e.Value.ToMessage(new InboxEventId(partition, e.Key)))
                .ToList();
            return Task.FromResult<IReadOnlyList<InboxMessage>>(pending);
        }
    }

    public Task MarkDeliveredAsync(int partition, IReadOnlyList<long> sequences, DateTimeOffset now)
    {
        lock (_lock)
        {
            var events = Partition(partition);
            foreach (var sequence in sequences)
            {
                if (events.TryGetValue(sequence, out var entry) && entry.Status == Status.Pending)
                    events[sequence] = entry with { Status = Status.Done, ProcessedAt = now, NextAttemptAt = null };
            }
        }

        return Task.CompletedTask;
    }

    public Task MarkFailedAsync(InboxEventId id, int attempts, string error, DateTimeOffset? retryAt, DateTimeOffset now)
    {
        lock (_lock)
        {
            var events = Partition(id.Partition);
            if (events.TryGetValue(id.Sequence, out var entry))
                events[id.Sequence] = entry with { Attempts = attempts, LastError = error, NextAttemptAt = retryAt, Status = retryAt is null ? Status.Dead : Status.Pending };
        }

        return Task.CompletedTask;
    }

    public Task<int> PurgeDeliveredAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var purged = 0;
        lock (_lock)
        {
            foreach (var (partition, events) in _partitions)
            {
                foreach (var (sequence, entry) in events.Where(e => e.Value.Status == Status.Done && e.Value.ProcessedAt < before).ToList())
                {
                    events.Remove(sequence);
                    _known.Remove((entry.Event.TenantId, entry.Event.Source, entry.Event.EventId));
                    purged++;
                }
            }
        }

        return Task.FromResult(purged);
    }

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? tenantId, int skip, int take, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var dead = _partitions
                .SelectMany(p => p.Value.Select(e => (Id: new InboxEventId(p.Key, e.Key), Entry: e.Value)))
                .Where(e => e.Entry.Status == Status.Dead && (tenantId is null || e.Entry.Event.TenantId == tenantId))
                .OrderByDescending(e => e.Entry.ReceivedAt)
                .Skip(skip)
                .Take(take)
                .Select(e => new DeadLetter(e.Id, e.Entry.Event.TenantId, e.Entry.Event.Source, e.Entry.Event.EventId, e.Entry.Event.Payload, e.Entry.ReceivedAt, e.Entry.Attempts, e.Entry.LastError))
                .ToList();
            return Task.FromResult<IReadOnlyList<DeadLetter>>(dead);
        }
    }

    public Task<bool> ReplayAsync(InboxEventId id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var events = Partition(id.Partition);
            if (!events.TryGetValue(id.Sequence, out var entry) || entry.Status != Status.Dead)
                return Task.FromResult(false);
            events[id.Sequence] = entry with { Status = Status.Pending, Attempts = 0, NextAttemptAt = null };
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<InboxBacklog>> ReadBacklogAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var backlog = _partitions
                .Select(p => new InboxBacklog(
                    p.Key,
                    p.Value.Values.Count(e => e.Status == Status.Pending),
                    p.Value.Values.Count(e => e.Status == Status.Dead),
                    p.Value.Values.Where(e => e.Status == Status.Pending).Select(e => (DateTimeOffset?)e.ReceivedAt).Min()))
                .Where(b => b.Pending > 0 || b.Dead > 0)
                .OrderBy(b => b.Partition)
                .ToList();
            return Task.FromResult<IReadOnlyList<InboxBacklog>>(backlog);
        }
    }

    private SortedDictionary<long, Entry> Partition(int partition)
    {
        if (!_partitions.TryGetValue(partition, out var events))
            _partitions[partition] = events = [];
        return events;
    }

    private enum Status { Pending, Done, Dead }

    private sealed record Entry(InboxEvent Event, DateTimeOffset ReceivedAt)
    {
        public Status Status { get; init; } = Status.Pending;
        public int Attempts { get; init; }
        public DateTimeOffset? NextAttemptAt { get; init; }
        public string? LastError { get; init; }
        public DateTimeOffset? ProcessedAt { get; init; }

        public InboxMessage ToMessage(InboxEventId id)
            => new(id, Event.TenantId, Event.Source, Event.EventId, Event.Payload, ReceivedAt, Attempts, NextAttemptAt);
    }
}
