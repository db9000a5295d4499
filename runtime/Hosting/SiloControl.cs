namespace OrleansSync.Runtime.Hosting;

/// <summary>
/// The switches every background loop of a silo obeys: started (the silo has joined the cluster), paused (a
/// stop-the-world pause, for tests: nothing renews, ticks or pumps, and internal requests wait), and killed (the
/// process died: loops stop at once and nothing is cleaned up).
/// </summary>
public sealed class SiloControl
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _killed = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource? _resumed;

    /// <summary>Completes when the silo has joined the cluster and its partitions may be served.</summary>
    public Task WhenStarted => _started.Task;

    public bool IsStarted => _started.Task.IsCompleted;

    public CancellationToken Killed => _killed.Token;

    public bool IsKilled => _killed.IsCancellationRequested;

    public bool IsPaused
    {
        get
        {
            lock (_lock)
                return _resumed is not null;
        }
    }

    internal void MarkStarted() => _started.TrySetResult();

    /// <summary>Stops every loop at once and for good, as if the process had died.</summary>
    public void Kill() => _killed.Cancel();

    public void Pause()
    {
        lock (_lock)
            _resumed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Resume()
    {
        TaskCompletionSource? resumed;
        lock (_lock)
            (resumed, _resumed) = (_resumed, null);
        resumed?.TrySetResult();
    }

    public Task WaitWhilePausedAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
            return _resumed is null ? Task.CompletedTask : _resumed.Task.WaitAsync(cancellationToken);
    }
}
