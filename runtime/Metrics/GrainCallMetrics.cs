using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using OrleansSync.Runtime.Activation;

namespace OrleansSync.Runtime.Metrics;

/// <summary>
/// The incoming-call filter behind the dashboard's grain views: per grain type and method, in per-second buckets of
/// the last <see cref="MethodCallStats.RingSeconds"/> seconds, the calls, the exceptions, their time and a latency
/// histogram (for p99). It records only while <see cref="DashboardWatch.IsOn"/>; otherwise it is
/// <see cref="IIncomingGrainCallFilter.IsActive">inactive</see> and the runtime does not even build a call context.
/// When it is the silo's only filter, the runtime hands it only the calls it asked to observe
/// (<see cref="Observe{TGrain, TArgs, TResult}"/>), and tells it how each turn ended only when that matters.
/// </summary>
/// <remarks>
/// <para>
/// A watched call must cost next to nothing: the benchmark's in-silo call takes about 45 ns, and the dashboard may
/// take 5% of it. So a watched call runs exactly the instructions of an unwatched one. Every activation counts its
/// calls (<see cref="ActivationData.Calls"/>: a plain increment inside its turn) and compares the count with the number
/// of its next call to observe (<see cref="ActivationData.NextObserved"/>, never reached while nobody watches). Once a
/// second the metrics take each activation's count — the calls of each grain type are exact — and split it between
/// its methods in proportion to its observed calls.
/// </para>
/// <para>
/// An observed call is timed (two clock reads and a few interlocked operations), its method noted, and its time
/// stands for the calls since the activation's previous observed call. While the silo runs fewer than
/// <see cref="ObservedPerSecond"/> calls a second every call is observed, so calls per method are exact too and every
/// call is timed; beyond that, the budget is shared between the busy activations each second (the quiet ones keep
/// observing every call), and a busy activation observes one call in about <see cref="ObservedActivation.Stride"/>,
/// the gaps drawn at random so that no pattern of calls hides a method. Calls that fail are counted at the end of
/// their turn, every one; calls that await something are timed from there too, every one: they are the slow ones.
/// </para>
/// </remarks>
public sealed class GrainCallMetrics : IIncomingGrainCallFilter, IDisposable
{
    /// <summary>How many calls a second a silo observes one by one, about: beyond that it takes a sample.</summary>
    public const int ObservedPerSecond = 32_768;

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<CallSite, MethodCallStats> _byCallSite = new(CallSite.Comparer.Instance);
    private readonly Lock _lock = new();
    private readonly double _nanosecondsPerTick;
    private readonly long _frequency;
    private readonly long _secondOrigin;
    private readonly long _unixSecondAtOrigin;
    private readonly HashSet<ObservedActivation> _counting = new(ReferenceEqualityComparer.Instance);
    private MethodCallStats[] _sites = [];
    private ITimer? _secondTimer;
    private long _second;
    private int _watch;
    private Action? _watchStarted;
    private volatile bool _active;

    public GrainCallMetrics(DashboardWatch watch, TimeProvider time)
    {
        _time = time;
        _frequency = time.TimestampFrequency;
        _nanosecondsPerTick = 1e9 / _frequency;

        // Buckets are keyed by Unix seconds, so that silos' buckets line up when merged; the monotonic timestamp is
        // shifted once so that its whole seconds fall on the wall clock's.
        var timestamp = time.GetTimestamp();
        var unixMilliseconds = time.GetUtcNow().ToUnixTimeMilliseconds();
        _unixSecondAtOrigin = unixMilliseconds / 1000;
        _secondOrigin = timestamp - (long)(unixMilliseconds % 1000 * (_frequency / 1000.0));
        _second = CurrentSecond();
        watch.Listen(WatchChanged);
    }

    /// <summary>Whether someone watches (<see cref="DashboardWatch.IsOn"/>, as this filter was told): the one read an unwatched call pays.</summary>
    public bool IsActive => _active;

    /// <summary>The second the calls now under way are counted in: moved on by a timer at each whole second.</summary>
    private long Second => Volatile.Read(ref _second);

    /// <summary>Through the filter pipeline (when other filters run too): every call is counted and timed.</summary>
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (!_active)
            return context.Invoke();

        var stats = StatsFor(context.Grain.GetType(), context.TargetId.Type, context.Method);
        stats.AddCalls(Second, 1);
        var started = _time.GetTimestamp();
        Task call;
        try
        {
            call = context.Invoke();
        }
        catch
        {
            Timed(stats, started, weight: 1, failed: true);
            throw;
        }

        if (!call.IsCompleted)
            return AwaitTimedAsync(call, stats, started);
        Timed(stats, started, weight: 1, failed: !call.IsCompletedSuccessfully);
        return call;
    }

    /// <summary>
    /// A call its activation was told to observe (<see cref="ActivationData.NextObserved"/>): while someone watches,
    /// timed and noted, standing for the calls since the activation's last observed one; otherwise the activation is
    /// told to stop observing.
    /// </summary>
    internal Task<TResult> Observe<TGrain, TArgs, TResult>(ActivationData activation, GrainMethod<TGrain, TArgs, TResult> method, TArgs args)
        where TGrain : class, IGrain
    {
        if (!_active && !StillWatchedAfterStopping(activation))
            return method.Invoke(activation.Instance!, args);

        var observation = activation.Observation is { } known && known.Watch == Volatile.Read(ref _watch) ? known : Register(activation);
        var stats = StatsFor(activation.GrainClass, method);
        var weight = observation.Observed(stats.Slot);
        var started = _time.GetTimestamp();
        var call = method.Invoke(activation.Instance!, args);
        if (!call.IsCompleted)
            return AwaitTimedAsync(call, stats, started, weight);
        Timed(stats, started, weight, failed: false);
        return call;
    }

    /// <summary>Whether <paramref name="activation"/>'s running call is the one these metrics time (an observed call).</summary>
    internal bool IsTiming(ActivationData activation)
        => activation.Observation is { } observation && observation.Watch == Volatile.Read(ref _watch) && observation.LastObserved == activation.Calls;

    /// <summary>A watched call that was not observed awaited, and has ended: it is timed from when its turn found it waiting.</summary>
    internal void AwaitedCallEnded(ActivationData activation, GrainMethod method, long awaitedAt)
    {
        if (_active)
            Timed(StatsFor(activation.GrainClass, method), awaitedAt, weight: 1, failed: false);
    }

    /// <summary>A call failed (seen at the end of its turn): counted while someone watches, every one.</summary>
    internal void CallFailed(ActivationData activation, GrainMethod method)
    {
        if (_active)
            StatsFor(activation.GrainClass, method).AddException(Second);
    }

    /// <summary>A timestamp of this filter's clock.</summary>
    internal long Timestamp() => _time.GetTimestamp();

    /// <summary>What to do when a watch starts: the runtime has every activation observe its next call.</summary>
    internal void WhenWatchStarts(Action started) => _watchStarted += started;

    /// <summary>
    /// Nobody watches: the activation will observe no more calls — unless a watch started meanwhile, which either
    /// finds it told already, or is seen here (the fence orders this check after the write a watch start might miss).
    /// </summary>
    private bool StillWatchedAfterStopping(ActivationData activation)
    {
        activation.NextObserved = long.MaxValue;
        Interlocked.MemoryBarrier();
        return _active;
    }

    /// <summary>The first observed call of an activation in this watch: from now on the metrics collect its calls.</summary>
    private ObservedActivation Register(ActivationData activation)
    {
        lock (_lock)
        {
            var observation = activation.Observation ??= new ObservedActivation(activation);
            observation.Start(_watch);
            _counting.Add(observation);
            return observation;
        }
    }

    /// <summary>An activation is gone: what it counted and was not collected yet goes into the current second.</summary>
    internal void Forget(ActivationData activation)
    {
        lock (_lock)
        {
            if (activation.Observation is not { } observation || !_counting.Remove(observation))
                return;
            observation.Collect();
            AddCollected(Second);
        }
    }

    /// <summary>
    /// What the last <paramref name="seconds"/> whole seconds saw (the second under way is left out): totals per second
    /// across every method, oldest first, and totals per method. Methods not called in that time are left out.
    /// </summary>
    public GrainCallWindow Read(int seconds)
    {
        lock (_lock)
        {
            if (_secondTimer is not null)
                CollectCounts(Second);
        }

        seconds = Math.Clamp(seconds, 1, MethodCallStats.RingSeconds - 1);
        var last = CurrentSecond() - 1;
        var first = last - seconds + 1;
        var perSecond = new SecondTotals[seconds];
        for (var i = 0; i < seconds; i++)
            perSecond[i] = SecondTotals.Empty(first + i);

        var methods = new List<MethodTotals>();
        foreach (var stats in Volatile.Read(ref _sites))
        {
            if (stats.Read(first, last, perSecond) is { } totals)
                methods.Add(totals);
        }

        return new GrainCallWindow(first, perSecond, methods);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _secondTimer?.Dispose();
            _secondTimer = null;
            _counting.Clear();
        }
    }

    /// <summary>Someone started watching, or nobody watches any more: the second timer runs only in between.</summary>
    private void WatchChanged(bool on)
    {
        lock (_lock)
        {
            if (on == _secondTimer is not null)
                return;

            if (!on)
            {
                _active = false;
                CollectCounts(Second);
                _counting.Clear();
                _secondTimer!.Dispose();
                _secondTimer = null;
                return;
            }

            // A new watch: activations observed in an earlier one start again at their next observed call.
            _watch++;
            _counting.Clear();
            foreach (var stats in _sites)
                stats.Collected = 0;
            var second = CurrentSecond();
            Volatile.Write(ref _second, second);
            _secondTimer = _time.CreateTimer(_ => SecondEnded(), null, UntilStartOf(second + 1), Timeout.InfiniteTimeSpan);
            _active = true;
        }

        // After the watch is on (a new activation then observes its first call anyway): tell the others.
        _watchStarted?.Invoke();
    }

    /// <summary>A whole second has passed: its calls go into its buckets, and the next calls count in the next.</summary>
    private void SecondEnded()
    {
        lock (_lock)
            EndSecondIfOver();
    }

    /// <summary>
    /// A timed call saw the clock past the current second: the timer is late — its thread-pool callback waits behind
    /// busy threads, when calls keep every core busy — so the call ends the second itself, unless someone is at it.
    /// </summary>
    private void SecondOverdue()
    {
        if (!_lock.TryEnter())
            return;
        try
        {
            EndSecondIfOver();
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// When the clock has left the current second: its calls go into its buckets, each method's sample rate is set from
    /// them, and the next calls count in the second the clock is in (under the lock). A timer firing a little early (it
    /// counts whole milliseconds) finds the second not over and is set again for its end: a second is never closed
    /// early, with a fraction of its calls taken for the method's rate.
    /// </summary>
    private void EndSecondIfOver()
    {
        if (_secondTimer is null)
            return;

        var current = Second;
        var now = CurrentSecond();
        if (now > current)
        {
            CollectCounts(current);
            ShareObservations();
            Volatile.Write(ref _second, now);
            current = now;
        }

        _secondTimer.Change(UntilStartOf(current + 1), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Moves what the activations counted since the last time into <paramref name="second"/> (under the lock).</summary>
    private void CollectCounts(long second)
    {
        foreach (var observation in _counting)
            observation.Collect();
        AddCollected(second);
    }

    private void AddCollected(long second)
    {
        foreach (var stats in _sites)
        {
            if (stats.Collected == 0)
                continue;
            stats.AddCalls(second, stats.Collected);
            stats.Collected = 0;
        }
    }

    /// <summary>
    /// Shares the next second's <see cref="ObservedPerSecond"/> between the activations by the calls each ran in the
    /// second just collected (under the lock): every activation may observe up to the same number of calls, the share
    /// of the quiet ones that need less going to the busy ones; an activation under its share observes every call.
    /// </summary>
    private void ShareObservations()
    {
        if (_counting.Count == 0)
            return;

        double share = (double)ObservedPerSecond / _counting.Count;
        for (var round = 0; round < 4; round++)
        {
            long quiet = 0;
            var busy = 0;
            foreach (var observation in _counting)
            {
                if (observation.CallsSinceShared <= share)
                    quiet += observation.CallsSinceShared;
                else
                    busy++;
            }

            var larger = busy == 0 ? share : (ObservedPerSecond - quiet) / (double)busy;
            if (larger <= share * 1.01)
                break;
            share = larger;
        }

        foreach (var observation in _counting)
            observation.Share(share);
    }

    private async Task AwaitTimedAsync(Task call, MethodCallStats stats, long started)
    {
        try
        {
            await call;
        }
        catch
        {
            Timed(stats, started, weight: 1, failed: true);
            throw;
        }

        Timed(stats, started, weight: 1, failed: false);
    }

    /// <summary>An observed call that awaits: timed when it ends (its failure, if it fails, is counted by its turn).</summary>
    private async Task<TResult> AwaitTimedAsync<TResult>(Task<TResult> call, MethodCallStats stats, long started, long weight)
    {
        try
        {
            return await call;
        }
        finally
        {
            Timed(stats, started, weight, failed: false);
        }
    }

    private void Timed(MethodCallStats stats, long started, long weight, bool failed)
    {
        var ended = _time.GetTimestamp();
        var nanoseconds = (long)((ended - started) * _nanosecondsPerTick);
        var second = Second;
        stats.AddTime(second, nanoseconds, weight);
        if (failed)
            stats.AddException(second);
        if (SecondOf(ended) > second)
            SecondOverdue();
    }

    private long CurrentSecond() => SecondOf(_time.GetTimestamp());

    private long SecondOf(long timestamp) => _unixSecondAtOrigin + (timestamp - _secondOrigin) / _frequency;

    private TimeSpan UntilStartOf(long second)
    {
        var remaining = (second - _unixSecondAtOrigin) * _frequency - (_time.GetTimestamp() - _secondOrigin);
        return TimeSpan.FromTicks((long)(Math.Max(0, remaining) * (TimeSpan.TicksPerSecond / (double)_frequency)));
    }

    /// <summary>The statistics of a grain class's method, from the class's own table: no dictionary on a call's way.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal MethodCallStats StatsFor(GrainClass grainClass, GrainMethod method)
    {
        var table = Volatile.Read(ref grainClass.CallStats);
        var ordinal = method.Ordinal;
        return (uint)ordinal < (uint)table.Length && table[ordinal] is { } stats ? stats : AddToTable(grainClass, method);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private MethodCallStats AddToTable(GrainClass grainClass, GrainMethod method)
    {
        var stats = StatsFor(grainClass.ClassType, grainClass.GrainType, method);
        lock (_lock)
        {
            if (stats.Slot < 0)
            {
                stats.Slot = grainClass.CallStatsBySlot.Length;
                Volatile.Write(ref grainClass.CallStatsBySlot, [.. grainClass.CallStatsBySlot, stats]);
            }

            var table = grainClass.CallStats;
            var larger = new MethodCallStats?[Math.Max(table.Length, method.Ordinal + 1)];
            table.CopyTo(larger, 0);
            larger[method.Ordinal] = stats;
            Volatile.Write(ref grainClass.CallStats, larger);
        }

        return stats;
    }

    private MethodCallStats StatsFor(Type grainClass, GrainType grainType, GrainMethod method)
    {
        var site = new CallSite(grainClass, method);
        if (_byCallSite.TryGetValue(site, out var stats))
            return stats;

        lock (_lock)
        {
            if (_byCallSite.TryGetValue(site, out stats))
                return stats;
            stats = new MethodCallStats(this, grainType.Value, method.Name);
            _byCallSite[site] = stats;
            Volatile.Write(ref _sites, [.. _sites, stats]);
            return stats;
        }
    }

    /// <summary>A grain class and the interface method called on it; compared by reference, which is all a lookup needs.</summary>
    private readonly record struct CallSite(Type GrainClass, GrainMethod Method)
    {
        public sealed class Comparer : IEqualityComparer<CallSite>
        {
            public static readonly Comparer Instance = new();

            public bool Equals(CallSite x, CallSite y) => ReferenceEquals(x.GrainClass, y.GrainClass) && ReferenceEquals(x.Method, y.Method);

            public int GetHashCode(CallSite site) => (RuntimeHelpers.GetHashCode(site.GrainClass) * 397) ^ RuntimeHelpers.GetHashCode(site.Method);
        }
    }
}

/// <summary>
/// One grain type's method on one silo: a ring of per-second buckets. A bucket is a run of longs: its second, the calls,
/// the exceptions, the weight of the timed calls (how many calls their times stand for), their total and longest time
/// in nanoseconds, then the latency histogram (weighted too).
/// </summary>
internal sealed class MethodCallStats
{
    /// <summary>Seconds kept: two minutes.</summary>
    public const int RingSeconds = 120;

    private const int Second = 0;
    private const int Calls = 1;
    private const int Exceptions = 2;
    private const int TimedWeight = 3;
    private const int TotalNanoseconds = 4;
    private const int MaxNanoseconds = 5;
    private const int Histogram = 6;
    private const int Stride = Histogram + LatencyHistogram.BucketCount;

    private readonly long[] _ring = new long[RingSeconds * Stride];

    internal MethodCallStats(GrainCallMetrics owner, string grainType, string method)
    {
        Owner = owner;
        GrainType = grainType;
        Method = method;
    }

    /// <summary>The silo's metrics these statistics belong to.</summary>
    internal GrainCallMetrics Owner { get; }

    /// <summary>
    /// This method's place among its grain class's (<see cref="GrainClass.CallStatsBySlot"/>), where an observed
    /// activation notes its observed calls (<see cref="ObservedActivation"/>); -1 until one is noted.
    /// </summary>
    internal int Slot = -1;

    /// <summary>Calls collected from the activations and not yet put in a bucket (under the owner's lock).</summary>
    internal long Collected;

    public string GrainType { get; }

    public string Method { get; }

    internal void AddCalls(long second, long calls)
    {
        if (BucketOf(second) is var at and >= 0)
            Interlocked.Add(ref _ring[at + Calls], calls);
    }

    internal void AddException(long second)
    {
        if (BucketOf(second) is var at and >= 0)
            Interlocked.Increment(ref _ring[at + Exceptions]);
    }

    internal void AddTime(long second, long nanoseconds, long weight)
    {
        var at = BucketOf(second);
        if (at < 0)
            return;
        Interlocked.Add(ref _ring[at + TimedWeight], weight);
        Interlocked.Add(ref _ring[at + TotalNanoseconds], nanoseconds * weight);
        var max = Volatile.Read(ref _ring[at + MaxNanoseconds]);
        while (nanoseconds > max)
        {
            var seen = Interlocked.CompareExchange(ref _ring[at + MaxNanoseconds], nanoseconds, max);
            if (seen == max)
                break;
            max = seen;
        }

        Interlocked.Add(ref _ring[at + Histogram + LatencyHistogram.BucketOf(nanoseconds)], weight);
    }

    /// <summary>Adds seconds <paramref name="first"/>–<paramref name="last"/> into <paramref name="perSecond"/>, and answers this method's totals (null when it had no calls).</summary>
    internal MethodTotals? Read(long first, long last, SecondTotals[] perSecond)
    {
        long calls = 0, exceptions = 0, timed = 0, total = 0, max = 0;
        var histogram = new long[LatencyHistogram.BucketCount];
        for (var second = first; second <= last; second++)
        {
            var at = (int)(second % RingSeconds) * Stride;
            if (Volatile.Read(ref _ring[at + Second]) != second)
                continue;
            var bucket = new SecondTotals(
                second,
                Volatile.Read(ref _ring[at + Calls]),
                Volatile.Read(ref _ring[at + Exceptions]),
                Volatile.Read(ref _ring[at + TimedWeight]),
                Volatile.Read(ref _ring[at + TotalNanoseconds]),
                Volatile.Read(ref _ring[at + MaxNanoseconds]),
                new long[LatencyHistogram.BucketCount]);
            if (bucket.Calls == 0 && bucket.TimedWeight == 0 && bucket.Exceptions == 0)
                continue;
            for (var i = 0; i < histogram.Length; i++)
                bucket.Histogram[i] = Volatile.Read(ref _ring[at + Histogram + i]);

            calls += bucket.Calls;
            exceptions += bucket.Exceptions;
            timed += bucket.TimedWeight;
            total += bucket.TotalNanoseconds;
            max = Math.Max(max, bucket.MaxNanoseconds);
            LatencyHistogram.AddTo(histogram, bucket.Histogram);
            var index = (int)(second - first);
            perSecond[index] = perSecond[index].Plus(bucket);
        }

        return calls == 0 && timed == 0 ? null : new MethodTotals(GrainType, Method, calls, exceptions, timed, total, max, histogram);
    }

    /// <summary>
    /// The index of <paramref name="second"/>'s bucket; when its slot still holds a second two minutes older, it is
    /// cleared first. -1 when the slot already holds a later second: this one is no longer kept.
    /// </summary>
    private int BucketOf(long second)
    {
        var at = (int)(second % RingSeconds) * Stride;
        var held = Volatile.Read(ref _ring[at + Second]);
        if (held == second)
            return at;
        return held < second ? Roll(at, second) : -1;
    }

    private int Roll(int at, long second)
    {
        lock (_ring)
        {
            var held = Volatile.Read(ref _ring[at + Second]);
            if (held > second)
                return -1;
            if (held < second)
            {
                Array.Clear(_ring, at + 1, Stride - 1);
                Volatile.Write(ref _ring[at + Second], second);
            }

            return at;
        }
    }
}
