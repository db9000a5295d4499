using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Hosting;

namespace OrleansSync.Runtime.Outbox;

/// <summary>
/// Publishes the outbox events of the partitions this silo owns to every <see cref="IOutboxSubscriber"/>: one
/// partition at a time in id order, several partitions at once. Woken when this process appends, and every
/// <see cref="OutboxOptions.PollInterval"/> for events appended elsewhere and retries fallen due.
/// </summary>
/// <remarks>
/// A failing event holds up its partition — so that one invoice's changes reach subscribers in the order they
/// happened — until it succeeds or is marked failed after <see cref="OutboxOptions.MaxAttempts"/> attempts; other
/// partitions go on meanwhile. Subscribers that already took an event are not given it again when another
/// subscriber's failure makes it retry here. Published events are marked in batches after publishing, so a silo dying
/// mid-batch makes the next owner publish part of the batch again: at least once, never lost.
/// </remarks>
internal sealed partial class OutboxPublisher(
    SiloRuntime runtime,
    IOutboxStore store,
    OutboxSignal signal,
    SiloControl control,
    IEnumerable<IOutboxSubscriber> subscribers,
    IOptions<OutboxOptions> options,
    ILogger<OutboxPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    private readonly OutboxOptions _options = options.Value;
    private readonly IOutboxSubscriber[] _subscribers = subscribers.ToArray();

    // Events being retried, with the subscribers that already took them.
    private readonly ConcurrentDictionary<long, PartlyPublished> _partlyPublished = new();
    private PartitionDrains? _drains;
    private DateTimeOffset _lastPurge;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var drains = new PartitionDrains(runtime.Partitions, _options.MaxConcurrentPartitions, PublishPartitionAsync, LogDrainFailed);
        _drains = drains;
        await drains.RunAsync(control, runtime.Time, _options.PollInterval, signal.Listen(), PollAsync, stoppingToken);
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        try
        {
            var owned = runtime.Partitions.OwnedPartitions();
            ForgetPartitionsLost(owned);
            if (owned.Count > 0)
            {
                foreach (var partition in await store.PartitionsWithPendingAsync(owned, cancellationToken))
                    _drains!.Start(partition, cancellationToken);
            }

            var now = runtime.Time.GetUtcNow();
            if (now - _lastPurge > PurgeInterval)
            {
                _lastPurge = now;
                var purged = await store.PurgeAsync(now - _options.RetainPublishedFor, cancellationToken);
                if (purged > 0)
                    LogPurged(purged);
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogPollFailed(exception);
        }
    }

    /// <summary>A partition's new owner publishes its events afresh, to every subscriber: what was half done here no longer counts.</summary>
    private void ForgetPartitionsLost(List<int> owned)
    {
        if (_partlyPublished.IsEmpty)
            return;
        var ownedSet = owned.ToHashSet();
        foreach (var (id, partly) in _partlyPublished)
        {
            if (!ownedSet.Contains(partly.Partition))
                _partlyPublished.TryRemove(id, out _);
        }
    }

    /// <summary>Publishes the partition's pending events in order until none is left, or the first one must wait.</summary>
    private async Task PublishPartitionAsync(int partition, CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await store.ReadPendingAsync(partition, _options.BatchSize, cancellationToken);
            if (batch.Count == 0)
                return;

            var published = new List<PublishedMark>(batch.Count);
            try
            {
                foreach (var pending in batch)
                {
                    var now = runtime.Time.GetUtcNow();
                    if (pending.NextAttemptAt > now || !runtime.Partitions.IsOwned(partition))
                        return;

                    // What the subscribers are given is what the store records: the same time of publication.
                    var failure = await PublishAsync(pending, now, cancellationToken);
                    if (failure is null)
                    {
                        published.Add(new PublishedMark(pending.Event.Id, now));
                        continue;
                    }

                    await MarkPublishedAsync(published);
                    // A partition lost mid-publish is not the event's fault: its new owner publishes it again.
                    if (!runtime.Partitions.IsOwned(partition) || !await RecordFailureAsync(pending, failure.Value))
                        return;
                }
            }
            finally
            {
                await MarkPublishedAsync(published);
            }
        }
    }

    /// <summary>
    /// Hands the event to each subscriber that has not taken it yet; a failing one does not keep it from the others.
    /// Answers the first failure, or null when every subscriber took it.
    /// </summary>
    private async Task<(IOutboxSubscriber Subscriber, Exception Exception)?> PublishAsync(PendingOutboxEvent pending, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var published = pending.Event with { PublishedAt = now, Status = OutboxEventStatus.Published };
        _partlyPublished.TryGetValue(published.Id, out var partly);
        (IOutboxSubscriber, Exception)? failure = null;
        for (var i = 0; i < _subscribers.Length; i++)
        {
            if (partly?.Took[i] == true)
                continue;
            try
            {
                await CallAsync(_subscribers[i], published, cancellationToken);
                if (partly is not null)
                    partly.Took[i] = true;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                failure ??= (_subscribers[i], exception);
                if (partly is null)
                {
                    partly = new PartlyPublished(pending.Partition, new bool[_subscribers.Length]);
                    Array.Fill(partly.Took, true, 0, i);
                    _partlyPublished[published.Id] = partly;
                }
            }
        }

        if (failure is null)
            _partlyPublished.TryRemove(published.Id, out _);

        return failure;
    }

    private async Task CallAsync(IOutboxSubscriber subscriber, PublishedEvent published, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_options.SubscriberTimeout, runtime.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await subscriber.PublishAsync(published, linked.Token).WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No answer within {_options.SubscriberTimeout}.");
        }
    }

    private async Task MarkPublishedAsync(List<PublishedMark> published)
    {
        if (published.Count == 0)
            return;
        await store.MarkPublishedAsync(published);
        published.Clear();
    }

    /// <summary>Schedules a retry (false: the partition waits for it) or marks the event failed (true: go on with the next).</summary>
    private async Task<bool> RecordFailureAsync(PendingOutboxEvent pending, (IOutboxSubscriber Subscriber, Exception Exception) failure)
    {
        var now = runtime.Time.GetUtcNow();
        var published = pending.Event;
        var attempts = published.Attempts + 1;
        var subscriber = failure.Subscriber.GetType().Name;
        var error = $"{subscriber}: {failure.Exception.GetType().Name}: {failure.Exception.Message}";
        if (attempts >= _options.MaxAttempts)
        {
            await store.MarkFailedAsync(published.Id, attempts, error, retryAt: null, now);
            _partlyPublished.TryRemove(published.Id, out _);
            LogFailed(failure.Exception, published.Id, published.Topic, published.Key, subscriber, attempts);
            return true;
        }

        var retryAt = now + _options.RetryDelay(attempts);
        await store.MarkFailedAsync(published.Id, attempts, error, retryAt, now);
        LogRetrying(failure.Exception, published.Id, published.Topic, published.Key, subscriber, attempts, retryAt);
        return false;
    }

    private sealed record PartlyPublished(int Partition, bool[] Took);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for outbox work failed")]
    private partial void LogPollFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing outbox partition {Partition} failed; the next poll tries again")]
    private partial void LogDrainFailed(Exception exception, int partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} published outbox events past their retention")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox event {Id} ({Topic} {Key}) failed {Attempts} times, last in {Subscriber}; retrying at {RetryAt}")]
    private partial void LogRetrying(Exception exception, long id, string topic, string key, string subscriber, int attempts, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox event {Id} ({Topic} {Key}) failed {Attempts} times, last in {Subscriber}, and was marked failed")]
    private partial void LogFailed(Exception exception, long id, string topic, string key, string subscriber, int attempts);
}
