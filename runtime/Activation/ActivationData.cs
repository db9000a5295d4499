using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSync.Runtime.State;
using OrleansSync.Runtime.Storage;

namespace OrleansSync.Runtime.Activation;

/// <summary>
/// One live grain on this silo: the grain object, its queue of waiting calls and its lifecycle.
/// </summary>
/// <remarks>
/// <para>
/// A turn is a whole call, from its start until the task it returns completes. Exactly one turn runs at a time
/// (<see cref="_busy"/>), and waiting calls run in the order they arrived. When the activation is idle, a call runs
/// inline on the caller's thread — no queue, no thread hop — which is what makes an in-silo call cost about as much
/// as a method call behind a lock. When it is busy, the call waits in <see cref="_pending"/> and a pump running on the
/// thread pool takes the calls one by one.
/// </para>
/// <para>
/// Activation, deactivation and the pump all run while <see cref="_busy"/> is set, so none of them overlaps a call.
/// Invariant: whenever <see cref="_pending"/> holds a call, <see cref="_busy"/> is set and something will run it.
/// </para>
/// </remarks>
internal sealed class ActivationData
{
    private enum Status { Created, Activating, Valid, Deactivating, Invalid }

    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Status _status;
    private bool _busy;
    private bool _counted;
    private Queue<WorkItem>? _pending;
    private DeactivationReason? _deactivationRequest;
    private bool _touched;
    private long _lastSeenTimestamp;
    private AsyncServiceScope? _scope;
    private IActivationState[] _states = [];

    /// <summary>
    /// The calls this activation has run, counted at the start of each (inside its turn: one writer, a plain increment).
    /// The dashboard's metrics read it once a second while someone watches: what they count is exact.
    /// </summary>
    internal long Calls;

    /// <summary>
    /// The number <see cref="Calls"/> must reach for a call to be observed by the silo's call metrics (timed, and its
    /// method noted). <see cref="long.MaxValue"/> while nobody watches; 0 for a new activation, whose first call finds
    /// out. Written inside the turns, and by the metrics when a watch starts (<see cref="ObserveNextCall"/>).
    /// </summary>
    internal long NextObserved;

    /// <summary>What the call metrics keep of this activation while they observe it (theirs, but for its turns' writes).</summary>
    internal Metrics.ObservedActivation? Observation;

    /// <summary>When the turn's call was found awaiting something, while watched and not already timed (0: not).</summary>
    private long _awaitedAt;

    /// <summary>The method of the inline call that awaits, for the end of its turn to report on.</summary>
    private GrainMethod? _awaitingMethod;

    public ActivationData(SiloRuntime runtime, GrainId grainId, GrainClass grainClass, int partition)
    {
        Runtime = runtime;
        GrainId = grainId;
        GrainClass = grainClass;
        Partition = partition;
    }

    public SiloRuntime Runtime { get; }

    public GrainId GrainId { get; }

    public GrainClass GrainClass { get; }

    public int Partition { get; }

    /// <summary>The partition lease this activation was created under; every write it makes carries it.</summary>
    public PartitionFence Fence { get; private set; }

    /// <summary>Activated and not (yet) deactivating: what operators count as an activation.</summary>
    public bool IsValid => _status == Status.Valid;

    /// <summary>The grain object, while the activation is alive.</summary>
    public Grain? Instance { get; private set; }

    /// <summary>Starts a turn for a call that will run inline, if nothing else is running or waiting.</summary>
    public bool TryBeginInlineTurn()
    {
        lock (_lock)
        {
            if (_status != Status.Valid || _busy)
                return false;
            _busy = true;
            _touched = true;
            return true;
        }
    }

    /// <summary>Ends an inline turn: the next waiting call, or a requested deactivation, runs on the thread pool.</summary>
    public void EndTurn(Task turn, GrainMethod method)
    {
        ObserveOutcome(turn, method);
        lock (_lock)
        {
            if (_status == Status.Invalid || (_deactivationRequest is null && _pending is not { Count: > 0 }))
            {
                _busy = false;
                return;
            }
        }

        SchedulePump();
    }

    /// <summary>Ends the turn of an inline call that did not complete at once, when it completes.</summary>
    public void EndTurnWhenCompleted(Task turn, GrainMethod method)
    {
        _awaitingMethod = method;
        TurnAwaits();
        turn.ContinueWith(static (t, state) => ((ActivationData)state!).EndAwaitedTurn(t), this,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The call metrics started watching: this activation's next call is observed, whatever it was told before.</summary>
    internal void ObserveNextCall() => Volatile.Write(ref NextObserved, 0);

    private void EndAwaitedTurn(Task turn)
    {
        var method = _awaitingMethod!;
        _awaitingMethod = null;
        EndTurn(turn, method);
    }

    /// <summary>
    /// The turn's call did not complete at once. While watched, a call the metrics did not time themselves is timed
    /// from now: it waits on something slow, and which of those calls is slow is what an operator looks for.
    /// </summary>
    private void TurnAwaits()
    {
        if (Runtime.CallMetrics is { IsActive: true } metrics && !metrics.IsTiming(this))
            _awaitedAt = metrics.Timestamp();
    }

    /// <summary>Queues a call. Returns false when this activation is gone and the caller must find or create another.</summary>
    public bool Enqueue(WorkItem item)
    {
        bool activate = false, schedule = false;
        lock (_lock)
        {
            switch (_status)
            {
                case Status.Invalid:
                    return false;
                case Status.Created:
                    _status = Status.Activating;
                    _busy = true;
                    activate = true;
                    break;
                case Status.Valid when !_busy:
                    _busy = true;
                    schedule = true;
                    break;
            }

            (_pending ??= new Queue<WorkItem>()).Enqueue(item);
        }

        if (activate)
            _ = ActivateAsync();
        else if (schedule)
            SchedulePump();
        return true;
    }

    /// <summary>
    /// Deactivates the grain once the running turn (if any) ends. Calls still waiting are delivered again afterwards,
    /// to a new activation or to the silo that owns the partition by then.
    /// </summary>
    public Task RequestDeactivation(DeactivationReason reason)
    {
        bool start = false;
        List<WorkItem>? neverActivated = null;
        lock (_lock)
        {
            switch (_status)
            {
                case Status.Created:
                    neverActivated = Finish();
                    break;
                case Status.Valid when !_busy:
                    _status = Status.Deactivating;
                    _busy = true;
                    start = true;
                    break;
                case Status.Valid or Status.Activating:
                    _deactivationRequest ??= reason;
                    break;
            }
        }

        if (start)
            _ = DeactivateAsync(reason);
        AfterFinish(neverActivated, disposeScope: true);
        return _deactivated.Task;
    }

    /// <summary>
    /// Deactivates the grain, waiting at most <see cref="GrainOptions.DeactivationTimeout"/> for its running turn and
    /// <see cref="Grain.OnDeactivateAsync"/>. A grain still busy then is abandoned: it leaves the directory, its
    /// waiting calls go elsewhere, and whatever it still tries to write is refused once its partition is handed over.
    /// </summary>
    public async Task DeactivateWithinTimeoutAsync(DeactivationReason reason)
    {
        var deactivated = RequestDeactivation(reason);
        if (await Task.WhenAny(deactivated, Task.Delay(Runtime.Options.DeactivationTimeout, Runtime.Time)) == deactivated)
            return;

        Runtime.Logger.LogWarning("{GrainId} did not deactivate within {Timeout} ({Reason}); abandoning it", GrainId, Runtime.Options.DeactivationTimeout, reason);
        List<WorkItem>? waiting;
        lock (_lock)
            waiting = Finish();
        AfterFinish(waiting, disposeScope: false);
    }

    /// <summary>
    /// Called by the collector once per collection quantum: deactivates the grain when no call has reached it for
    /// <paramref name="collectionAge"/>.
    /// </summary>
    public bool TryCollectIfIdle(long nowTimestamp, TimeSpan collectionAge)
    {
        lock (_lock)
        {
            if (_status != Status.Valid || _busy)
                return false;
            if (_touched)
            {
                _touched = false;
                _lastSeenTimestamp = nowTimestamp;
                return false;
            }

            if (Runtime.Time.GetElapsedTime(_lastSeenTimestamp, nowTimestamp) < collectionAge)
                return false;
            _status = Status.Deactivating;
            _busy = true;
        }

        _ = DeactivateAsync(new DeactivationReason(DeactivationReasonCode.ActivationIdle, $"No call for {collectionAge}."));
        return true;
    }

    private void SchedulePump() => ThreadPool.UnsafeQueueUserWorkItem(static activation => _ = activation.RunPendingAsync(), this, preferLocal: false);

    /// <summary>Runs waiting calls one at a time until none is left, then releases the activation.</summary>
    private async Task RunPendingAsync()
    {
        while (true)
        {
            WorkItem? item;
            DeactivationReason? deactivation = null;
            lock (_lock)
            {
                if (_status == Status.Invalid)
                {
                    _busy = false;
                    return;
                }

                if (_deactivationRequest is { } requested)
                {
                    _deactivationRequest = null;
                    _status = Status.Deactivating;
                    deactivation = requested;
                    item = null;
                }
                else if (_pending is null || !_pending.TryDequeue(out item))
                {
                    _busy = false;
                    return;
                }
                else
                {
                    _touched = true;
                }
            }

            if (deactivation is { } reason)
            {
                await DeactivateAsync(reason);
                return;
            }

            var turn = item!.Run(this);
            if (!turn.IsCompleted)
            {
                TurnAwaits();
                await turn.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            ObserveOutcome(turn, item.Method);
        }
    }

    /// <summary>
    /// How a turn ended: while watched, a failure is counted and a call timed from its await is timed; a call that met a
    /// newer version in storage leaves this activation stale, so the next one rereads.
    /// </summary>
    private void ObserveOutcome(Task turn, GrainMethod method)
    {
        if (_awaitedAt != 0)
        {
            Runtime.CallMetrics!.AwaitedCallEnded(this, method, _awaitedAt);
            _awaitedAt = 0;
        }

        if (turn.IsCompletedSuccessfully)
            return;
        Runtime.CallMetrics?.CallFailed(this, method);
        if (!turn.IsFaulted || turn.Exception!.InnerException is not InconsistentStateException conflict)
            return;

        lock (_lock)
        {
            if (_status is Status.Valid or Status.Activating)
                _deactivationRequest ??= new DeactivationReason(DeactivationReasonCode.InconsistentState, conflict.Message);
        }
    }

    private async Task ActivateAsync()
    {
        try
        {
            Fence = Runtime.Partitions.TryGetFence(Partition) ?? throw new NotOwnerException(Partition, Runtime.SiloId);
            var scope = Runtime.Services.CreateAsyncScope();
            _scope = scope;
            (Instance, _states) = GrainClass.CreateInstance(this, scope.ServiceProvider);
            foreach (var state in _states)
                await state.ReadStateAsync();

            using (var timeout = new CancellationTokenSource(Runtime.Options.ActivationTimeout, Runtime.Time))
                await Instance.OnActivateAsync(timeout.Token);

            lock (_lock)
            {
                _status = Status.Valid;
                _counted = true;
                _lastSeenTimestamp = Runtime.Time.GetTimestamp();
            }
        }
        catch (Exception exception)
        {
            List<WorkItem>? waiting;
            lock (_lock)
                waiting = Finish();

            // A partition that moved while the grain was being activated leaves the calls to its new owner (they are
            // delivered again); any other failure is the callers' answer.
            if (exception is not NotOwnerException && waiting is not null)
            {
                Runtime.Logger.LogWarning(exception, "Activation of {GrainId} failed", GrainId);
                foreach (var item in waiting)
                    item.Fail(exception);
                waiting.Clear();
            }

            AfterFinish(waiting, disposeScope: true);
            return;
        }

        Runtime.Directory.OnActivated(this);
        await RunPendingAsync();
    }

    private async Task DeactivateAsync(DeactivationReason reason)
    {
        if (Instance is { } grain)
        {
            try
            {
                using var timeout = new CancellationTokenSource(Runtime.Options.DeactivationTimeout, Runtime.Time);
                await grain.OnDeactivateAsync(reason, timeout.Token);
            }
            catch (Exception exception)
            {
                Runtime.Logger.LogWarning(exception, "OnDeactivateAsync of {GrainId} failed ({Reason})", GrainId, reason);
            }
        }

        List<WorkItem>? waiting;
        lock (_lock)
            waiting = Finish();
        AfterFinish(waiting, disposeScope: true);
        Runtime.Logger.LogDebug("Deactivated {GrainId}: {Reason}", GrainId, reason);
    }

    /// <summary>
    /// Marks the activation gone, under the lock, and takes the calls still waiting. Only the first caller finishes an
    /// activation; later ones get <c>null</c>.
    /// </summary>
    private List<WorkItem>? Finish()
    {
        if (_status == Status.Invalid)
            return null;
        _status = Status.Invalid;
        _busy = false;
        _deactivationRequest = null;
        Runtime.Directory.Remove(this);
        var waiting = _pending is { Count: > 0 } ? [.. _pending] : new List<WorkItem>();
        _pending?.Clear();
        return waiting;
    }

    /// <summary>The work after <see cref="Finish"/> that must not run under the lock.</summary>
    private void AfterFinish(List<WorkItem>? waiting, bool disposeScope)
    {
        if (waiting is null)
            return;

        if (_counted)
            Runtime.Directory.OnDeactivated(this);
        if (Observation is not null)
            Runtime.CallMetrics?.Forget(this);
        Instance = null;
        _states = [];
        if (disposeScope && _scope is { } scope)
        {
            _scope = null;
            _ = scope.DisposeAsync().AsTask();
        }

        _deactivated.TrySetResult();
        foreach (var item in waiting)
            item.Redispatch();
    }

    public override string ToString() => $"[Activation {GrainId}]";
}
