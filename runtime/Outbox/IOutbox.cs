namespace OrleansSync.Runtime.Outbox;

/// <summary>
/// One event to publish: for <paramref name="TenantId"/>, on <paramref name="Topic"/> (e.g. "invoice.status"), with its
/// JSON <paramref name="Payload"/>. <paramref name="Key"/> is unique per event (e.g. "invoice/7262481/9130/1042@7"):
/// appending a key already present is a no-op, so a retried append never publishes twice.
/// </summary>
public sealed record OutboxMessage(string TenantId, string Topic, string Key, string Payload);

/// <summary>
/// The durable outbox (F15): events recorded here are published to every <see cref="IOutboxSubscriber"/> by the silo
/// owning the tenant's partition, in order per partition, at least once.
/// </summary>
public interface IOutbox
{
    /// <summary>Records the messages, in order, in one transaction; when this completes they are durable.</summary>
    /// <exception cref="ArgumentException">A message is incomplete or its payload is not JSON; nothing was recorded.</exception>
    Task AppendAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken = default);
}

/// <summary>Where an event stands: waiting to be published, published, or given up on after too many failures.</summary>
public enum OutboxEventStatus
{
    Pending,
    Published,
    Failed,
}

/// <summary>
/// An event as published: its id (monotonic per store: a later append has a larger id), when it was recorded and when
/// it was published (<c>null</c> while pending, or when publishing it failed every attempt).
/// </summary>
public sealed record PublishedEvent(long Id, string TenantId, string Topic, string Key, string Payload, DateTimeOffset RecordedAt, DateTimeOffset? PublishedAt)
{
    public OutboxEventStatus Status { get; init; } = PublishedAt is null ? OutboxEventStatus.Pending : OutboxEventStatus.Published;

    /// <summary>How many times publishing it failed so far.</summary>
    public int Attempts { get; init; }

    /// <summary>Why the last attempt failed: the subscriber and its exception.</summary>
    public string? LastError { get; init; }
}

/// <summary>
/// Receives each event once it is published — at least once: a silo dying mid-publish makes the next owner of the
/// partition publish it again, so a subscriber for which a repeat matters drops it by <see cref="PublishedEvent.Key"/>.
/// An exception means "try again later"; after <see cref="OutboxOptions.MaxAttempts"/> failures the event is marked
/// failed and the events behind it go on.
/// </summary>
public interface IOutboxSubscriber
{
    Task PublishAsync(PublishedEvent published, CancellationToken cancellationToken);
}

/// <summary>
/// The outbox at a glance: events waiting and the oldest of them, events published in the last minute, and events
/// given up on.
/// </summary>
public sealed record OutboxBacklog(long Pending, DateTimeOffset? OldestPendingRecordedAt, long PublishedLastMinute, long Failed);

/// <summary>What operators (and the event stream) see of the outbox. Readable on every node, silo or api.</summary>
public interface IOutboxMonitor
{
    /// <summary>
    /// Recorded events — pending, published or failed — newest first; or, when <paramref name="afterId"/> is given, those
    /// after it oldest first (what a reader following the outbox asks for). Filtered by tenant and/or topic when given.
    /// </summary>
    /// <remarks>Ids become visible in order: a reader that saw event 9 will never later find an event 8.</remarks>
    Task<IReadOnlyList<PublishedEvent>> ReadAsync(string? tenantId, string? topic, long? afterId, int take, CancellationToken cancellationToken = default);

    Task<OutboxBacklog> ReadBacklogAsync(CancellationToken cancellationToken = default);
}
