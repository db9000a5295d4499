namespace OrleansSync.Runtime.Outbox;

/// <summary>The outbox in memory, for the single-process default: the same rules as PostgreSQL, gone on restart.</summary>
internal sealed class InMemoryOutboxStore(TimeProvider time) : IOutboxStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, Entry> _events = [];
    private readonly Dictionary<string, long> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<int, SortedSet<long>> _pending = [];
    private long _lastId;

    public Task<bool[]> AppendAsync(IReadOnlyList<PartitionedMessage> messages, DateTimeOffset recordedAt, CancellationToken cancellationToken)
    {
        var accepted = new bool[messages.Count];
        lock (_lock)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var (message, partition) = messages[i];
                // Like a sequence, an id is used up even by a duplicate.
                var id = ++_lastId;
                if (!_keys.TryAdd(message.Key, id))
                    continue;
                _events[id] = new Entry(new PublishedEvent(id, message.TenantId, message.Topic, message.Key, message.Payload, recordedAt, PublishedAt: null), partition);
                if (!_pending.TryGetValue(partition, out var pending))
                    _pending[partition] = pending = [];
                pending.Add(id);
                accepted[i] = true;
            }
        }

        return Task.FromResult(accepted);
    }

    public Task<IReadOnlyList<int>> PartitionsWithPendingAsync(IReadOnlyList<int> partitions, CancellationToken cancellationToken)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<int>>(partitions.Where(p => _pending.TryGetValue(p, out var pending) && pending.Count > 0).ToList());
    }

    public Task<IReadOnlyList<PendingOutboxEvent>> ReadPendingAsync(int partition, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var pending = _pending.TryGetValue(partition, out var ids)
                ? ids.Take(limit).Select(id => _events[id]).Select(e => new PendingOutboxEvent(e.Event, e.Partition, e.NextAttemptAt)).ToList()
                : [];
            return Task.FromResult<IReadOnlyList<PendingOutboxEvent>>(pending);
        }
    }

    public Task MarkPublishedAsync(IReadOnlyList<PublishedMark> published)
    {
        lock (_lock)
        {
            foreach (var (id, publishedAt) in published)
            {
                if (_events.TryGetValue(id, out var entry) && entry.Event.Status == OutboxEventStatus.Pending)
                {
                    _events[id] = entry with { Event = entry.Event with { PublishedAt = publishedAt, Status = OutboxEventStatus.Published }, NextAttemptAt = null };
                    _pending[entry.Partition].Remove(id);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task MarkFailedAsync(long id, int attempts, string error, DateTimeOffset? retryAt, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_events.TryGetValue(id, out var entry) && entry.Event.Status == OutboxEventStatus.Pending)
            {
                var status = retryAt is null ? OutboxEventStatus.Failed : OutboxEventStatus.Pending;
                _events[id] = entry with
                {
                    Event = entry.Event with { Attempts = attempts, LastError = error, Status = status },
                    NextAttemptAt = retryAt,
                    FailedAt = retryAt is null ? now : null,
                };
                if (status == OutboxEventStatus.Failed)
                    _pending[entry.Partition].Remove(id);
            }
        }

        return Task.CompletedTask;
    }

    public Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var old = _events.Values.Where(e => e.Event.PublishedAt < before || e.FailedAt < before).ToList();
            foreach (var entry in old)
            {
                _events.Remove(entry.Event.Id);
                _keys.Remove(entry.Event.Key);
            }

            return Task.FromResult(old.Count);
        }
    }

    public Task<IReadOnlyList<PublishedEvent>> ReadAsync(string? tenantId, string? topic, long? afterId, int take, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1);
        lock (_lock)
        {
            var matching = _events.Values
                .Select(e => e.Event)
                .Where(e => (tenantId is null || e.TenantId == tenantId) && (topic is null || e.Topic == topic));
            var page = afterId is { } after
                ? matching.Where(e => e.Id > after).Take(take)
                : matching.Reverse().Take(take);
            return Task.FromResult<IReadOnlyList<PublishedEvent>>(page.ToList());
        }
    }

    public Task<OutboxBacklog> ReadBacklogAsync(CancellationToken cancellationToken = default)
    {
        var since = time.GetUtcNow() - OutboxBacklogWindow.PublishedWithin;
        lock (_lock)
        {
            var pending = _pending.Values.SelectMany(ids => ids).Select(id => _events[id].Event).ToList();
            return Task.FromResult(new OutboxBacklog(
                pending.Count,
                pending.Count == 0 ? null : pending.Min(e => e.RecordedAt),
                _events.Values.Count(e => e.Event.PublishedAt >= since),
                _events.Values.Count(e => e.Event.Status == OutboxEventStatus.Failed)));
        }
    }

    private sealed record Entry(PublishedEvent Event, int Partition)
    {
        public DateTimeOffset? NextAttemptAt { get; init; }

        public DateTimeOffset? FailedAt { get; init; }
    }
}

/// <summary>What "published lately" means in <see cref="OutboxBacklog.PublishedLastMinute"/>.</summary>
internal static class OutboxBacklogWindow
{
    public static readonly TimeSpan PublishedWithin = TimeSpan.FromMinutes(1);
}
