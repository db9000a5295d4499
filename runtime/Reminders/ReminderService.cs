using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Hosting;

namespace OrleansSync.Runtime.Reminders;

/// <summary>
/// Fires the due reminders of the partitions this silo owns. Each poll asks the table for reminders due now in
/// those partitions (an index range per partition), delivers each tick to its grain — activating it if need be — and
/// then moves the reminder's next due time forward, fenced by the partition lease.
/// </summary>
/// <remarks>
/// A tick is delivered before it is recorded, so a silo that dies in between lets the next owner deliver it again:
/// at least once, never lost. While partitions move between live silos nothing is delivered twice, because a silo
/// stops ticking a partition and waits for ticks in flight before it hands the partition over. Ticks missed while no
/// silo owned a partition fire once, late, and the schedule continues from the next period boundary.
/// </remarks>
internal sealed partial class ReminderService(
    SiloRuntime runtime,
    IReminderTable table,
    SiloControl control,
    IOptions<ReminderOptions> options,
    [FromKeyedServices(GrainClock.Key)] TimeProvider grainClock,
    ILogger<ReminderService> logger) : BackgroundService
{
    // The due time of the latest tick this silo started, per reminder. A poll can read a reminder just before the
    // tick in flight advances it; this keeps that stale row from firing the same tick twice.
    private readonly Dictionary<(GrainId, string), DateTimeOffset> _startedTicks = [];
    private readonly Lock _startedTicksLock = new();
    private DateTimeOffset _lastPrune;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, control.Killed);
        using var concurrency = new SemaphoreSlim(settings.MaxConcurrentTicks);
        using var timer = new PeriodicTimer(settings.PollInterval, runtime.Time);
        try
        {
            await control.WhenStarted.WaitAsync(stop.Token);
            do
            {
                await control.WaitWhilePausedAsync(stop.Token);
                try
                {
                    await PollAsync(settings, concurrency, stop.Token);
                }
                catch (Exception exception) when (!stop.IsCancellationRequested)
                {
                    LogPollFailed(exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stop.Token));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task PollAsync(ReminderOptions settings, SemaphoreSlim concurrency, CancellationToken cancellationToken)
    {
        var owned = runtime.Partitions.OwnedPartitions();
        if (owned.Count == 0)
            return;

        // Due times are in grain time; the polling itself keeps the silo's clock.
        var now = grainClock.GetUtcNow();
        PruneStartedTicks(now);
        var due = await table.ReadDueAsync(owned, now, settings.BatchSize);
        foreach (var entry in due)
        {
            if (!TryStartTick(entry))
                continue;
            await concurrency.WaitAsync(cancellationToken);
            _ = Task.Run(async () =>
            {
                try
                {
                    await FireAsync(entry);
                }
                finally
                {
                    concurrency.Release();
                }
            }, CancellationToken.None);
        }
    }

    private async Task FireAsync(ReminderEntry entry)
    {
        if (!runtime.Partitions.TryEnterWork(entry.Partition))
            return;
        try
        {
            var status = new TickStatus(entry.FirstTickTime, entry.Period, entry.NextDue);
            try
            {
                var grain = runtime.GrainFactory.GetGrain<IRemindable>(entry.GrainId);
                await grain.ReceiveReminder(entry.Name, status);
            }
            catch (Exception exception)
            {
                // As in Orleans, a failing tick is reported and the schedule goes on; the grain sees the next tick.
                LogTickFailed(exception, entry.Name, entry.GrainId);
            }

            var nextDue = NextDueAfter(entry, grainClock.GetUtcNow());
            if (runtime.Partitions.TryGetFence(entry.Partition) is { } fence)
            {
                try
                {
                    await table.TryAdvanceAsync(entry, nextDue, fence);
                }
                catch (Exception exception)
                {
                    // The tick was delivered but not recorded: let the next poll deliver it again rather than lose the schedule.
                    LogAdvanceFailed(exception, entry.Name, entry.GrainId);
                    ForgetTick(entry);
                }
            }
        }
        finally
        {
            runtime.Partitions.ExitWork(entry.Partition);
        }
    }

    /// <summary>The first period boundary after <paramref name="now"/>: ticks missed while nobody was watching fire only once.</summary>
    internal static DateTimeOffset NextDueAfter(ReminderEntry entry, DateTimeOffset now)
    {
        var next = entry.NextDue + entry.Period;
        if (next > now)
            return next;
        var missedPeriods = (now - entry.NextDue).Ticks / entry.Period.Ticks;
        return entry.NextDue + TimeSpan.FromTicks(entry.Period.Ticks * (missedPeriods + 1));
    }

    private bool TryStartTick(ReminderEntry entry)
    {
        lock (_startedTicksLock)
        {
            var key = (entry.GrainId, entry.Name);
            if (_startedTicks.TryGetValue(key, out var started) && entry.NextDue <= started)
                return false;
            _startedTicks[key] = entry.NextDue;
            return true;
        }
    }

    private void ForgetTick(ReminderEntry entry)
    {
        lock (_startedTicksLock)
            _startedTicks.Remove((entry.GrainId, entry.Name));
    }

    /// <summary>A stale read is at most one poll old, so records of ticks long past can go.</summary>
    private void PruneStartedTicks(DateTimeOffset now)
    {
        if (now - _lastPrune < TimeSpan.FromMinutes(1))
            return;
        _lastPrune = now;
        var horizon = now - TimeSpan.FromMinutes(10);
        lock (_startedTicksLock)
        {
            foreach (var (key, started) in _startedTicks.ToList())
            {
                if (started < horizon)
                    _startedTicks.Remove(key);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for due reminders failed")]
    private partial void LogPollFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reminder {ReminderName} of {GrainId} failed")]
    private partial void LogTickFailed(Exception exception, string reminderName, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the tick of reminder {ReminderName} of {GrainId} failed; it will fire again")]
    private partial void LogAdvanceFailed(Exception exception, string reminderName, GrainId grainId);
}
