namespace OrleansSync.Runtime.Inbox;

/// <summary>
/// One event to record: from <paramref name="Source"/> (e.g. "quickbooks", "hubspot"), identified there by
/// <paramref name="EventId"/>, for <paramref name="TenantId"/>, with its JSON <paramref name="Payload"/>.
/// </summary>
public sealed record InboxEvent(string TenantId, string Source, string EventId, string Payload);

/// <summary>How many events an append recorded, and how many it dropped as already recorded.</summary>
public readonly record struct InboxAppendResult(int Accepted, int Duplicates);

/// <summary>
/// The durable inbox (B2): every event is recorded before the sender gets its answer; events already recorded —
/// the same tenant, source and event id — are dropped. The silo owning the tenant's partition then delivers them
/// to the <see cref="IInboxHandler"/>, in order, at least once.
/// </summary>
public interface IInbox
{
    /// <summary>Records the events, in order, in one transaction; when this completes they are durable.</summary>
    /// <exception cref="ArgumentException">An event is incomplete or its payload is not JSON; nothing was recorded.</exception>
    Task<InboxAppendResult> AppendAsync(IReadOnlyList<InboxEvent> events, CancellationToken cancellationToken = default);
}

/// <summary>An event's place in the inbox: its partition and its sequence there. Written "partition.sequence".</summary>
public readonly record struct InboxEventId(int Partition, long Sequence)
{
    public override string ToString() => $"{Partition}.{Sequence}";

    public static bool TryParse(string? text, out InboxEventId id)
    {
        id = default;
        var dot = text?.IndexOf('.') ?? -1;
        if (dot <= 0 || !int.TryParse(text.AsSpan(0, dot), out var partition) || !long.TryParse(text.AsSpan(dot + 1), out var sequence))
            return false;
        id = new InboxEventId(partition, sequence);
        return true;
    }
}

/// <summary>An event being delivered, with how often delivering it failed so far.</summary>
public sealed record InboxMessage(
    InboxEventId Id,
    string TenantId,
    string Source,
    string EventId,
    string Payload,
    DateTimeOffset ReceivedAt,
    int Attempts,
    DateTimeOffset? NextAttemptAt);

/// <summary>
/// Receives inbox events on the silo owning their tenant. Delivery is at least once: a handler must make a second
/// delivery of the same event harmless. An exception means "try again later"; after
/// <see cref="InboxOptions.MaxAttempts"/> failures the event is dead-lettered.
/// </summary>
public interface IInboxHandler
{
    Task HandleAsync(InboxMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// An <see cref="IInboxHandler"/> that takes a partition's due events a run at a time, so that it can do for many what
/// it would do for each — one read from QuickBooks for a hundred changed invoices, say. It answers, per message in
/// order, <c>null</c> when delivered or the exception that failed it (retried or dead-lettered like a single failure).
/// </summary>
public interface IInboxBatchHandler : IInboxHandler
{
    Task<IReadOnlyList<Exception?>> HandleBatchAsync(IReadOnlyList<InboxMessage> messages, CancellationToken cancellationToken);
}

/// <summary>An event that failed too often, kept for operators to inspect and replay.</summary>
public sealed record DeadLetter(
    InboxEventId Id,
    string TenantId,
    string Source,
    string EventId,
    string Payload,
    DateTimeOffset ReceivedAt,
    int Attempts,
    string? LastError);

/// <summary>Events waiting in one partition.</summary>
public sealed record InboxBacklog(int Partition, long Pending, long Dead, DateTimeOffset? OldestPendingReceivedAt);

/// <summary>What operators see of the inbox, and what they can do about it.</summary>
public interface IInboxMonitor
{
    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? tenantId, int skip, int take, CancellationToken cancellationToken = default);

    /// <summary>Puts a dead letter back in line, with its failures forgotten. False when there is no such dead letter.</summary>
    Task<bool> ReplayAsync(InboxEventId id, CancellationToken cancellationToken = default);

    /// <summary>Partitions with pending or dead events.</summary>
    Task<IReadOnlyList<InboxBacklog>> ReadBacklogAsync(CancellationToken cancellationToken = default);
}
