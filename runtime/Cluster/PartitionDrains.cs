using System.Threading.Channels;
using OrleansSync.Runtime.Hosting;

namespace OrleansSync.Runtime.Cluster;

/// <summary>
/// Works through the partitions this silo owns, for the inbox pump and the outbox publisher alike: woken for the
/// partitions that just received work, and every poll interval for work recorded elsewhere or retries fallen due. One
/// drain per partition at a time — a wake-up during a drain makes it go round once more — at most a fixed number of
/// partitions at once, each inside the partition's work fence so that a partition is not handed over mid-drain.
/// </summary>
internal sealed class PartitionDrains(
    LocalPartitionTable partitions,
    int maxConcurrentPartitions,
    Func<int, CancellationToken, Task> drainOnce,
    Action<Exception, int> drainFailed) : IDisposable
{
    private readonly Dictionary<int, Drain> _drains = [];
    private readonly Lock _drainsLock = new();
    private readonly SemaphoreSlim _concurrency = new(maxConcurrentPartitions);

    /// <summary>
    /// Runs until the silo stops or is killed: once started, <paramref name="poll"/> at once and then every
    /// <paramref name="pollInterval"/> (it calls <see cref="Start"/> for the partitions with work), and a drain for
    /// each partition <paramref name="wakeUps"/> names. On the way out, waits for the drains under way.
    /// </summary>
    public async Task RunAsync(SiloControl control, TimeProvider time, TimeSpan pollInterval, ChannelReader<int> wakeUps, Func<CancellationToken, Task> poll, CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, control.Killed);
        using var timer = new PeriodicTimer(pollInterval, time);
        try
        {
            await control.WhenStarted.WaitAsync(stop.Token);
            var tick = timer.WaitForNextTickAsync(stop.Token).AsTask();
            var woken = wakeUps.WaitToReadAsync(stop.Token).AsTask();
            await poll(stop.Token);
            while (true)
            {
                await Task.WhenAny(tick, woken);
                await control.WaitWhilePausedAsync(stop.Token);

                if (woken.IsCompleted)
                {
                    await woken;
                    while (wakeUps.TryRead(out var partition))
                        Start(partition, stop.Token);
                    woken = wakeUps.WaitToReadAsync(stop.Token).AsTask();
                }

                if (tick.IsCompleted)
                {
                    if (!await tick)
                        break;
                    await poll(stop.Token);
                    tick = timer.WaitForNextTickAsync(stop.Token).AsTask();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        Task[] running;
        lock (_drainsLock)
            running = _drains.Values.Select(d => d.Task).ToArray();
        await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Drains a partition, unless a drain is already running there — then that drain goes round once more.</summary>
    public void Start(int partition, CancellationToken cancellationToken)
    {
        if (!partitions.IsOwned(partition))
            return;

        lock (_drainsLock)
        {
            if (_drains.TryGetValue(partition, out var running))
            {
                running.Again = true;
                return;
            }

            var drain = new Drain();
            _drains[partition] = drain;
            drain.Task = Task.Run(() => DrainAsync(partition, drain, cancellationToken), CancellationToken.None);
        }
    }

    public void Dispose() => _concurrency.Dispose();

    private async Task DrainAsync(int partition, Drain drain, CancellationToken cancellationToken)
    {
        try
        {
            await _concurrency.WaitAsync(cancellationToken);
            try
            {
                while (true)
                {
                    lock (_drainsLock)
                        drain.Again = false;

                    if (!partitions.TryEnterWork(partition))
                        return;
                    try
                    {
                        await drainOnce(partition, cancellationToken);
                    }
                    finally
                    {
                        partitions.ExitWork(partition);
                    }

                    lock (_drainsLock)
                    {
                        if (!drain.Again)
                            return;
                    }
                }
            }
            finally
            {
                _concurrency.Release();
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            drainFailed(exception, partition);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_drainsLock)
                _drains.Remove(partition);
        }
    }

    private sealed class Drain
    {
        public Task Task { get; set; } = Task.CompletedTask;

        public bool Again { get; set; }
    }
}
