using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using OrleansSync.Runtime.Activation;

namespace OrleansSync.Runtime.Metrics;

/// <summary>
/// The incoming-call filter behind the dashboard's grain views: per grain type and method, in per-second buckets of
/// the last <see cref="MethodCallStats.RingSeconds"/> seconds, the calls, the exceptions, their time and a latency
/// histogram (for p99). It records only while <see cref="DashboardWatch.IsOn"/>; otherwise it is
/// <see cref="IIncomingGrainCallFilter.IsActive">inactive</see> and the runtime does not even build a call context.
/// When it is the silo's only filter, the runtime observes the grain method for it, without a context either:
/// <see cref="StatsFor(GrainClass, GrainMethod)"/>, then <see cref="ActivationData.CountWatchedCall"/>, then
/// <see cref="Timed{TGrain, TArgs, TResult}"/> or, at the end of the turn, <see cref="UnsampledCallEnded"/>.
/// </summary>
/// <remarks>
/// <para>
/// A watched call must cost next to nothing: the benchmark's in-silo call takes about 50 ns, and the dashboard may
/// take 5% of it. So a call is <em>counted</em> by its activation — a plain increment, since an activation runs one
/// turn at a time — and the activations' counts are moved into the current second's bucket by this class once a
/// second, when the second ends; the second a call belongs to is a field the same timer moves on, so no call reads the
/// clock to be counted. How a call went is seen where the runtime already looks, at the end of its turn.
/// </para>
/// <para>
/// Calls are <em>timed</em> (two clock reads and a few interlocked operations) when they are worth it: every call that
/// does not complete at once (it awaited something — HubSpot, QuickBooks, PostgreSQL — so it is slow and the timing is
/// noise; timed from when its turn found it waiting, unless it was in the sample), and of the calls that complete at
/// once, all of a method's calls while it is called up to <see cref="TimedPerSecond"/> times a second, and beyond that
/// one in 2ⁿ, with n chosen each second from the second before so that about <see cref="TimedPerSecond"/> calls a
/// second are timed. A sampled call's time counts for the calls it stands for (its weight), so averages and
/// percentiles are estimates of all calls'; calls and exceptions are exact.
/// </para>
/// </remarks>
public sealed class GrainCallMetrics : IIncomingGrainCallFilter, IDisposable
{
    /// <summary>How many calls a second a method's synchronous calls are timed for, at most about.</summary>
    public const int TimedPerSecond = 1024;

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<CallSite, MethodCallStats> _byCallSite = new(CallSite.Comparer.Instance);
    private readonly Lock _lock = new();
    private readonly double _nanosecondsPerTick;
    private readonly long _frequency;
    private readonly long _secondOrigin;
    private readonly long _unixSecondAtOrigin;
    private readonly HashSet<ActivationData> _counting = new(ReferenceEqualityComparer.Instance);
    private MethodCallStats[] _sites = [];
    private ITimer? _secondTimer;
    private long _second;
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
    /// Runs a watched call that <see cref="ActivationData.CountWatchedCall"/> put in the sample, observed by this filter
    /// alone (the runtime calls it directly, without a context): timed, standing for the calls around it.
    /// </summary>
    internal Task<TResult> Timed<TGrain, TArgs, TResult>(MethodCallStats stats, GrainMethod<TGrain, TArgs, TResult> method, object grain, TArgs args)
        where TGrain : class, IGrain
    {
        var weight = stats.SampleMask + 1L;
        var started = _time.GetTimestamp();
        var call = method.Invoke(grain, args);
        if (!call.IsCompleted)
            return AwaitTimedAsync(call, stats, started);
        Timed(stats, started, weight, failed: !call.IsCompletedSuccessfully);
        return call;
    }

    /// <summary>
    /// The turn of a watched call out of the sample has ended (<c>ActivationData.ObserveOutcome</c>): a failure is
    /// counted, and a call that awaited is timed from <paramref name="awaitedAt"/>, when its turn found it waiting.
    /// </summary>
    internal void UnsampledCallEnded(MethodCallStats stats, Task turn, long awaitedAt)
    {
        if (awaitedAt != 0)
            Timed(stats, awaitedAt, weight: 1, failed: !turn.IsCompletedSuccessfully);
        else if (!turn.IsCompletedSuccessfully)
            stats.AddException(Second);
    }

    /// <summary>A timestamp of this filter's clock.</summary>
    internal long Timestamp() => _time.GetTimestamp();

    /// <summary>
    /// A watched call counted the slow way (inside the activation's turn): the activation's first, after which the
    /// metrics collect from it once a second, or one of a method beyond the few counted in the activation itself.
    /// </summary>
    internal long CountElsewhere(ActivationData activation, int slot)
    {
        if (!activation.IsWatched)
        {
            lock (_lock)
            {
                _counting.Add(activation);
                activation.IsWatched = true;
            }
        }

        if (slot < WatchedCallCounts.Length)
            return ++activation.WatchedCalls[slot];

        var more = activation.MoreWatchedCalls ?? [];
        var index = slot - WatchedCallCounts.Length;
        if (index >= more.Length)
        {
            var larger = new long[Math.Max(index + 1, Volatile.Read(ref activation.GrainClass.CallStatsBySlot).Length - WatchedCallCounts.Length)];
            more.CopyTo(larger, 0);
            Volatile.Write(ref activation.MoreWatchedCalls, larger);
            more = larger;
        }

        return ++more[index];
    }

    /// <summary>An activation is gone: what it counted and was not collected yet goes into the current second.</summary>
    internal void Forget(ActivationData activation)
    {
        lock (_lock)
        {
            if (!_counting.Remove(activation))
                return;
            Collect(activation);
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
            if (on && _secondTimer is null)
            {
                // Counted by calls that raced the end of the last watch: stale.
                foreach (var activation in _counting)
                    Collect(activation);
                foreach (var stats in _sites)
                    stats.Collected = 0;
                var second = CurrentSecond();
                Volatile.Write(ref _second, second);
                _secondTimer = _time.CreateTimer(_ => SecondEnded(), null, UntilStartOf(second + 1), Timeout.InfiniteTimeSpan);
                _active = true;
            }
            else if (!on && _secondTimer is not null)
            {
                _active = false;
                CollectCounts(Second);
                _secondTimer.Dispose();
                _secondTimer = null;
            }
        }
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
            foreach (var stats in _sites)
                stats.SampleMask = SampleMaskFor(stats.CallsIn(current));
            Volatile.Write(ref _second, now);
            current = now;
        }

        _secondTimer.Change(UntilStartOf(current + 1), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Moves what the activations counted since the last time into <paramref name="second"/> (under the lock).</summary>
    private void CollectCounts(long second)
    {
        foreach (var activation in _counting)
            Collect(activation);
        AddCollected(second);
    }

    /// <summary>Adds what <paramref name="activation"/> counted since the last time to its methods' <see cref="MethodCallStats.Collected"/>.</summary>
    private static void Collect(ActivationData activation)
    {
        var bySlot = Volatile.Read(ref activation.GrainClass.CallStatsBySlot);
        var slots = Math.Min(bySlot.Length, WatchedCallCounts.Length + (Volatile.Read(ref activation.MoreWatchedCalls)?.Length ?? 0));
        if (activation.CollectedCalls is not { } collected || collected.Length < slots)
        {
            Array.Resize(ref activation.CollectedCalls, slots);
            collected = activation.CollectedCalls;
        }

        for (var slot = 0; slot < slots; slot++)
        {
            var total = activation.WatchedCallsAt(slot);
            if (total == collected[slot])
                continue;
            bySlot[slot].Collected += total - collected[slot];
            collected[slot] = total;
        }
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

    /// <summary>Time one synchronous call in 2ⁿ, so that about <see cref="TimedPerSecond"/> a second are timed.</summary>
    private static int SampleMaskFor(long callsPerSecond)
        => callsPerSecond <= TimedPerSecond
            ? 0
            : (int)Math.Min(BitOperations.RoundUpToPowerOf2((ulong)(callsPerSecond / TimedPerSecond)), 1 << 20) - 1;

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

    private async Task<TResult> AwaitTimedAsync<TResult>(Task<TResult> call, MethodCallStats stats, long started)
    {
        try
        {
            var result = await call;
            Timed(stats, started, weight: 1, failed: false);
            return result;
        }
        catch
        {
            Timed(stats, started, weight: 1, failed: true);
            throw;
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
    /// This method's place among its grain class's (<see cref="GrainClass.CallStatsBySlot"/>), where activations count
    /// its calls (<see cref="ActivationData.WatchedCalls"/>); -1 until a call is counted there.
    /// </summary>
    internal int Slot = -1;

    /// <summary>A synchronous call is timed when its activation's count (salted) has these bits clear (0: every call).</summary>
    internal int SampleMask;

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

    /// <summary>The calls counted in <paramref name="second"/> so far.</summary>
    internal long CallsIn(long second)
    {
        var at = (int)(second % RingSeconds) * Stride;
        return Volatile.Read(ref _ring[at + Second]) == second ? Volatile.Read(ref _ring[at + Calls]) : 0;
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
