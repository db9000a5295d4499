using System.Text.Json;

namespace OrleansSync.Runtime.Inbox;

/// <summary>
/// The <see cref="IInbox"/> every node exposes: checks the events, maps each tenant to its partition, records them,
/// and wakes this silo's pump for the partitions it owns (other silos hear of it from the database).
/// </summary>
internal sealed class InboxWriter(IInboxStore store, TenantPartitioner partitioner, InboxSignal signal, TimeProvider time) : IInbox
{
    private const int MaxIdentifierLength = 512;

    public async Task<InboxAppendResult> AppendAsync(IReadOnlyList<InboxEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
            return default;

        var partitioned = new PartitionedEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            Validate(events[i], i);
            partitioned[i] = new PartitionedEvent(events[i], partitioner.GetPartition(events[i].TenantId));
        }

        var accepted = await store.AppendAsync(partitioned, time.GetUtcNow(), cancellationToken);
        var count = 0;
        for (var i = 0; i < accepted.Length; i++)
        {
            if (!accepted[i])
                continue;
            count++;
            signal.Notify(partitioned[i].Partition);
        }

        return new InboxAppendResult(count, events.Count - count);
    }

    private static void Validate(InboxEvent inboxEvent, int index)
    {
        ArgumentNullException.ThrowIfNull(inboxEvent);
        RequireIdentifier(inboxEvent.TenantId, nameof(InboxEvent.TenantId), index);
        RequireIdentifier(inboxEvent.Source, nameof(InboxEvent.Source), index);
        RequireIdentifier(inboxEvent.EventId, nameof(InboxEvent.EventId), index);
        try
        {
            using var _ = JsonDocument.Parse(inboxEvent.Payload ?? "");
        }
        catch (JsonException exception)
        {
            throw new ArgumentException($"Event {index} ({inboxEvent.Source} {inboxEvent.EventId}): the payload is not JSON: {exception.Message}", nameof(inboxEvent));
        }
    }

    private static void RequireIdentifier(string? value, string name, int index)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"Event {index}: {name} is required.", name);
        if (value.Length > MaxIdentifierLength)
            throw new ArgumentException($"Event {index}: {name} is longer than {MaxIdentifierLength} characters.", name);
    }
}

/// <summary>Tells this silo's inbox pump which partitions just received events. Silent until a pump listens.</summary>
internal sealed class InboxSignal
{
    private readonly System.Threading.Channels.Channel<int> _partitions = System.Threading.Channels.Channel.CreateUnbounded<int>(new() { SingleReader = true });
    private volatile bool _listening;

    public void Notify(int partition)
    {
        if (_listening)
            _partitions.Writer.TryWrite(partition);
    }

    public System.Threading.Channels.ChannelReader<int> Listen()
    {
        _listening = true;
        return _partitions.Reader;
    }
}
