namespace OrleansSync.Runtime.Inbox;

/// <summary>An event with the partition its tenant maps to.</summary>
internal readonly record struct PartitionedEvent(InboxEvent Event, int Partition);

/// <summary>Where inbox events are kept: PostgreSQL in a cluster, memory in the single-process default.</summary>
internal interface IInboxStore : IInboxMonitor
{
    /// <summary>Records events in order; answers, per event, whether it was new (false: a duplicate, dropped).</summary>
    Task<bool[]> AppendAsync(IReadOnlyList<PartitionedEvent> events, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>Which of the given partitions have pending events.</summary>
    Task<IReadOnlyList<int>> PartitionsWithPendingAsync(IReadOnlyList<int> partitions, CancellationToken cancellationToken);

    /// <summary>The first pending events of a partition, in order.</summary>
    Task<IReadOnlyList<InboxMessage>> ReadPendingAsync(int partition, int limit, CancellationToken cancellationToken);

    Task MarkDeliveredAsync(int partition, IReadOnlyList<long> sequences, DateTimeOffset now);

    /// <summary>Records a failed delivery: retried at <paramref name="retryAt"/>, or dead-lettered when that is null.</summary>
    Task MarkFailedAsync(InboxEventId id, int attempts, string error, DateTimeOffset? retryAt, DateTimeOffset now);

    Task<int> PurgeDeliveredAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
