using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace OrleansSync.Runtime.Outbox;

/// <summary>
/// The events this silo published lately, in memory: the last <see cref="OutboxOptions.RecentEventsCapacity"/> of
/// them, and a feed of new ones for anyone watching (the operator dashboard). Each silo sees the events of the
/// partitions it owns; the whole cluster's events are read from <see cref="IOutboxMonitor"/>.
/// </summary>
public sealed class RecentEvents : IOutboxSubscriber
{
    private readonly Lock _lock = new();
    private readonly PublishedEvent?[] _ring;
    private readonly List<ChannelWriter<PublishedEvent>> _watchers = [];
    private int _next;
    private int _count;

    public RecentEvents(IOptions<OutboxOptions> options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Value.RecentEventsCapacity, 1);
        _ring = new PublishedEvent?[options.Value.RecentEventsCapacity];
    }

    public int Capacity => _ring.Length;

    /// <summary>How many watchers are connected.</summary>
    public int WatcherCount
    {
        get
        {
            lock (_lock)
                return _watchers.Count;
        }
    }

    /// <summary>The events kept, newest first.</summary>
    public IReadOnlyList<PublishedEvent> Snapshot()
    {
        lock (_lock)
        {
            var events = new List<PublishedEvent>(_count);
            for (var i = 1; i <= _count; i++)
                events.Add(_ring[(_next - i + _ring.Length) % _ring.Length]!);
            return events;
        }
    }

    /// <summary>
    /// The events published from the first <c>MoveNextAsync</c> on, until <paramref name="cancellationToken"/> ends the
    /// watch. A watcher that falls more than <see cref="Capacity"/> events behind loses the oldest of those it has not
    /// read: a slow watcher never holds up publishing.
    /// </summary>
    public async IAsyncEnumerable<PublishedEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<PublishedEvent>(new BoundedChannelOptions(_ring.Length)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        lock (_lock)
            _watchers.Add(channel.Writer);
        try
        {
            await foreach (var published in channel.Reader.ReadAllAsync(cancellationToken))
                yield return published;
        }
        finally
        {
            lock (_lock)
                _watchers.Remove(channel.Writer);
        }
    }

    Task IOutboxSubscriber.PublishAsync(PublishedEvent published, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _ring[_next] = published;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
            // Written under the lock, so that every watcher sees events in the order they were published.
            foreach (var watcher in _watchers)
                watcher.TryWrite(published);
        }

        return Task.CompletedTask;
    }
}
