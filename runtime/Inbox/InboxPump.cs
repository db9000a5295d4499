using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Hosting;

namespace OrleansSync.Runtime.Inbox;

/// <summary>
/// Delivers the inbox events of the partitions this silo owns to the <see cref="IInboxHandler"/>: one partition at a
/// time in sequence order, several partitions at once. Woken when events arrive (here, or elsewhere through the
/// database), and every <see cref="InboxOptions.PollInterval"/> in case a wake-up was missed or a retry fell due.
/// </summary>
/// <remarks>
/// A failed event holds up its partition until it succeeds or is dead-lettered after
/// <see cref="InboxOptions.MaxAttempts"/> attempts: that is what keeps events for one grain in order. Delivered
/// events are acknowledged in batches after delivery, so a silo dying mid-batch makes the next owner deliver part of
/// the batch again — at least once, never lost.
/// </remarks>
internal sealed partial class InboxPump(
    SiloRuntime runtime,
    IInboxStore store,
    InboxSignal signal,
    SiloControl control,
    IServiceProvider services,
    IOptions<InboxOptions> options,
    ILogger<InboxPump> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    private readonly InboxOptions _options = options.Value;
    private PartitionDrains? _drains;
    private IInboxHandler? _handler;
    private DateTimeOffset _lastPurge;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _handler = services.GetService<IInboxHandler>();
        if (_handler is null)
        {
            LogNoHandler();
            return;
        }

        using var drains = new PartitionDrains(runtime.Partitions, _options.MaxConcurrentPartitions, DeliverAsync, LogDrainFailed);
        _drains = drains;
        await drains.RunAsync(control, runtime.Time, _options.PollInterval, signal.Listen(), PollAsync, stoppingToken);
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        try
        {
            var owned = runtime.Partitions.OwnedPartitions();
            if (owned.Count > 0)
            {
                foreach (var partition in await store.PartitionsWithPendingAsync(owned, cancellationToken))
                    _drains!.Start(partition, cancellationToken);
            }

            var now = runtime.Time.GetUtcNow();
            if (now - _lastPurge > PurgeInterval)
            {
                _lastPurge = now;
                var purged = await store.PurgeDeliveredAsync(now - _options.RetainProcessedFor, cancellationToken);
                if (purged > 0)
                    LogPurged(purged);
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            LogPollFailed(exception);
        }
    }

    /// <summary>Delivers the partition's pending events in order until none is left, or the first one must wait.</summary>
    private async Task DeliverAsync(int partition, CancellationToken cancellationToken)
    {
        while (true)
        {
            var batch = await store.ReadPendingAsync(partition, _options.BatchSize, cancellationToken);
            if (batch.Count == 0)
                return;

            var now = runtime.Time.GetUtcNow();
            var due = batch.TakeWhile(m => m.NextAttemptAt is null || m.NextAttemptAt <= now).ToList();
            if (due.Count == 0 || !runtime.Partitions.IsOwned(partition))
                return;

            var delivered = new List<long>(due.Count);
            try
            {
                var mustWait = _handler is IInboxBatchHandler batchHandler && due.Count > 1
                    ? await DeliverRunAsync(batchHandler, partition, due, delivered, cancellationToken)
                    : await DeliverEachAsync(partition, due, delivered, cancellationToken);
                if (mustWait || due.Count < batch.Count)
                    return;
            }
            finally
            {
                await AcknowledgeAsync(partition, delivered);
            }
        }
    }

    /// <summary>One message at a time; true when a failure makes the partition wait for its retry.</summary>
    private async Task<bool> DeliverEachAsync(int partition, List<InboxMessage> due, List<long> delivered, CancellationToken cancellationToken)
    {
        foreach (var message in due)
        {
            if (!runtime.Partitions.IsOwned(partition))
                return true;
            try
            {
                await _handler!.HandleAsync(message, cancellationToken);
                delivered.Add(message.Id.Sequence);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                await AcknowledgeAsync(partition, delivered);
                // A partition lost mid-delivery is not the event's fault: its new owner delivers it again.
                if (!runtime.Partitions.IsOwned(partition) || !await RecordFailureAsync(message, exception))
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The whole run at once. Messages that succeeded behind a failed one keep their effect (handlers are idempotent
    /// and read current state), so only the failed ones come round again.
    /// </summary>
    private async Task<bool> DeliverRunAsync(IInboxBatchHandler handler, int partition, List<InboxMessage> due, List<long> delivered, CancellationToken cancellationToken)
    {
        IReadOnlyList<Exception?> results;
        try
        {
            results = await handler.HandleBatchAsync(due, cancellationToken);
            if (results.Count != due.Count)
                throw new InvalidOperationException($"The inbox handler answered {results.Count} results for {due.Count} messages.");
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            results = due.Select(_ => (Exception?)exception).ToList();
        }

        var mustWait = false;
        for (var i = 0; i < due.Count; i++)
        {
            if (results[i] is null)
                delivered.Add(due[i].Id.Sequence);
        }

        await AcknowledgeAsync(partition, delivered);
        if (!runtime.Partitions.IsOwned(partition))
            return true;
        for (var i = 0; i < due.Count; i++)
        {
            if (results[i] is { } failure && !await RecordFailureAsync(due[i], failure))
                mustWait = true;
        }

        return mustWait;
    }

    private async Task AcknowledgeAsync(int partition, List<long> delivered)
    {
        if (delivered.Count == 0)
            return;
        await store.MarkDeliveredAsync(partition, delivered, runtime.Time.GetUtcNow());
        delivered.Clear();
    }

    /// <summary>Schedules a retry (false: the partition waits for it) or dead-letters the event (true: go on with the next).</summary>
    private async Task<bool> RecordFailureAsync(InboxMessage message, Exception exception)
    {
        var now = runtime.Time.GetUtcNow();
        var attempts = message.Attempts + 1;
        var error = $"{exception.GetType().Name}: {exception.Message}";
        if (attempts >= _options.MaxAttempts)
        {
            await store.MarkFailedAsync(message.Id, attempts, error, retryAt: null, now);
            LogDeadLettered(exception, message.Id, message.Source, message.EventId, attempts);
            return true;
        }

        var retryAt = now + _options.RetryDelay(attempts);
        await store.MarkFailedAsync(message.Id, attempts, error, retryAt, now);
        LogRetrying(exception, message.Id, message.Source, message.EventId, attempts, retryAt);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No IInboxHandler is registered: inbox events are recorded but not delivered")]
    private partial void LogNoHandler();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for inbox work failed")]
    private partial void LogPollFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining inbox partition {Partition} failed; the next poll tries again")]
    private partial void LogDrainFailed(Exception exception, int partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} delivered inbox events past their retention")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbox event {Id} ({Source} {EventId}) failed {Attempts} times; retrying at {RetryAt}")]
    private partial void LogRetrying(Exception exception, InboxEventId id, string source, string eventId, int attempts, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inbox event {Id} ({Source} {EventId}) failed {Attempts} times and was dead-lettered")]
    private partial void LogDeadLettered(Exception exception, InboxEventId id, string source, string eventId, int attempts);
}
