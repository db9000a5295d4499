using System.Text.Json;
using System.Threading.Channels;

namespace OrleansSync.Runtime.Outbox;

/// <summary>
/// The <see cref="IOutbox"/> every node exposes: checks the messages, maps each tenant to its partition, records them,
/// and wakes this silo's publisher for the partitions it owns (other silos find them at their next poll).
/// </summary>
internal sealed class OutboxWriter(IOutboxStore store, TenantPartitioner partitioner, OutboxSignal signal, TimeProvider time) : IOutbox
{
    private const int MaxIdentifierLength = 512;

    public async Task AppendAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
            return;

        var partitioned = new PartitionedMessage[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            Validate(messages[i], i);
            partitioned[i] = new PartitionedMessage(messages[i], partitioner.GetPartition(messages[i].TenantId));
        }

        var accepted = await store.AppendAsync(partitioned, time.GetUtcNow(), cancellationToken);
        for (var i = 0; i < accepted.Length; i++)
        {
            if (accepted[i])
                signal.Notify(partitioned[i].Partition);
        }
    }

    private static void Validate(OutboxMessage message, int index)
    {
        ArgumentNullException.ThrowIfNull(message);
        RequireIdentifier(message.TenantId, nameof(OutboxMessage.TenantId), index);
        RequireIdentifier(message.Topic, nameof(OutboxMessage.Topic), index);
        RequireIdentifier(message.Key, nameof(OutboxMessage.Key), index);
        try
        {
            using var _ = JsonDocument.Parse(message.Payload ?? "");
        }
        catch (JsonException exception)
        {
            throw new ArgumentException($"Message {index} ({message.Key}): the payload is not JSON: {exception.Message}", nameof(message));
        }
    }

    // Topics and keys travel as server-sent event names and ids, where a line break would end the field.
    private static void RequireIdentifier(string? value, string name, int index)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"Message {index}: {name} is required.", name);
        if (value.Length > MaxIdentifierLength)
            throw new ArgumentException($"Message {index}: {name} is longer than {MaxIdentifierLength} characters.", name);
        if (value.Any(char.IsControl))
            throw new ArgumentException($"Message {index}: {name} contains a control character.", name);
    }
}

/// <summary>Tells this silo's outbox publisher which partitions just got events. Silent until a publisher listens.</summary>
internal sealed class OutboxSignal
{
    private readonly Channel<int> _partitions = Channel.CreateUnbounded<int>(new() { SingleReader = true });
    private volatile bool _listening;

    public void Notify(int partition)
    {
        if (_listening)
            _partitions.Writer.TryWrite(partition);
    }

    public ChannelReader<int> Listen()
    {
        _listening = true;
        return _partitions.Reader;
    }
}
