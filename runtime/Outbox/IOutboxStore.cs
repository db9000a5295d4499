namespace OrleansSync.Runtime.Outbox;

/// <summary>A message with the partition its tenant maps to.</summary>
internal readonly record struct PartitionedMessage(OutboxMessage Message, int Partition);

/// <summary>A pending event of a partition, with when it may be tried again after a failure.</summary>
internal sealed record PendingOutboxEvent(PublishedEvent Event, int Partition, DateTimeOffset? NextAttemptAt);

/// <summary>An event published at a time.</summary>
internal readonly record struct PublishedMark(long Id, DateTimeOffset PublishedAt);

/// <summary>Where outbox events are kept: PostgreSQL in a cluster, memory in the single-process default.</summary>
internal interface IOutboxStore : IOutboxMonitor
{
    /// <summary>
    /// Records messages in order, ids handed out in commit order; answers, per message, whether it was new (false: its
    /// key was already recorded, or came earlier in the same list).
    /// </summary>
    Task<bool[]> AppendAsync(IReadOnlyList<PartitionedMessage> messages, DateTimeOffset recordedAt, CancellationToken cancellationToken);

    /// <summary>Which of the given partitions have pending events.</summary>
    Task<IReadOnlyList<int>> PartitionsWithPendingAsync(IReadOnlyList<int> partitions, CancellationToken cancellationToken);

    /// <summary>The first pending events of a partition, in id order.</summary>
    Task<IReadOnlyList<PendingOutboxEvent>> ReadPendingAsync(int partition, int limit, CancellationToken cancellationToken);

    /// <summary>Marks events published; events no longer pending (published by another owner, say) are left as they are.</summary>
    Task MarkPublishedAsync(IReadOnlyList<PublishedMark> published);

    /// <summary>Records a failed attempt: retried at <paramref name="retryAt"/>, or marked failed when that is null.</summary>
    Task MarkFailedAsync(long id, int attempts, string error, DateTimeOffset? retryAt, DateTimeOffset now);

    /// <summary>Removes events published, or failed, before <paramref name="before"/>.</summary>
    Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
