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
/// When it is the silo's only filter, the runtime hands it the grain method itself (<see cref="Observe"/>), without a
/// context either.
/// </summary>
/// <remarks>
/// <para>
/// A watched call must cost next to nothing: the benchmark's in-silo call takes about 50 ns, and the dashboard may
/// take 5% of it. So a call is <em>counted</em> with a plain increment on its own thread (<see cref="ThreadCallCounts"/>),
/// and the counts are moved into the current second's bucket by this class once a second, when the second ends; the
/// second a call belongs to is a field the same timer moves on, so no call reads the clock to be counted.
/// </para>
/// <para>
/// Calls are <em>timed</em> (two clock reads and a few interlocked operations) when they are worth it: every call that
/// does not complete at once (it awaited something — HubSpot, QuickBooks, PostgreSQL — so it is slow and the timing is
/// noise), and of the calls that complete at once, all of a method's calls while it is called up to
/// <see cref="TimedPerSecond"/> times a second, and beyond that one in 2ⁿ, with n chosen each second from the second
/// before so that about <see cref="TimedPerSecond"/> calls a second are timed. A sampled call's time counts for the
/// calls it stands for (its weight), so averages and percentiles are estimates of all calls'; calls and exceptions are
/// exact.
/// </para>
/// </remarks>
public sealed class GrainCallMetrics : IIncomingGrainCallFilter, IDisposable
{
    /// <summary>How many calls a second a method's synchronous calls are timed for, at most about.</summary>
    public const int TimedPerSecond = 1024;

    private readonly DashboardWatch _watch;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<CallSite, MethodCallStats> _byCallSite = new(CallSite.Comparer.Instance);
    private readonly Lock _lock = new();
    private readonly double _nanosecondsPerTick;
    private readonly long _frequency;
    private readonly long _secondOrigin;
    private readonly long _unixSecondAtOrigin;
    private MethodCallStats[] _sites = [];
    private ITimer? _secondTimer;
    private long _second;

    public GrainCallMetrics(DashboardWatch watch, TimeProvider time)
    {
        _watch = watch;
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

    public bool IsActive => _watch.IsOn;

    /// <summary>The second the calls now under way are counted in: moved on by a timer at each whole second.</summary>
    private long Second => Volatile.Read(ref _second);

    /// <summary>Through the filter pipeline (when other filters run too): every call is counted and timed.</summary>
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (!_watch.IsOn)
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
    /// Runs a grain method observed by this filter alone, while someone watches: counted on this thread, and timed when
    /// it awaits or its turn in the sample comes.
    /// </summary>
    internal Task<TResult> Observe<TGrain, TArgs, TResult>(GrainClass grainClass, GrainMethod<TGrain, TArgs, TResult> method, object grain, TArgs args)
        where TGrain : class, IGrain
    {
        var stats = StatsFor(grainClass, method);
        var mask = stats.SampleMask;
        if ((ThreadCallCounts.Increment(stats.Site) & mask) == 0)
        {
            var started = _time.GetTimestamp();
            var timed = method.Invoke(grain, args);
            if (!timed.IsCompleted)
                return AwaitTimedAsync(timed, stats, started);
            Timed(stats, started, weight: mask + 1L, failed: !timed.IsCompletedSuccessfully);
            return timed;
        }

        var call = method.Invoke(grain, args);
        if (call.IsCompletedSuccessfully)
            return call;
        if (call.IsCompleted)
        {
            stats.AddException(Second);
            return call;
        }

        // Not in the sample, but it awaits: timed from here, since every call that awaits is.
        return AwaitTimedAsync(call, stats, _time.GetTimestamp());
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
            ThreadCallCounts.Forget(_sites);
        }
    }

    /// <summary>Someone started watching, or nobody watches any more: the second timer runs only in between.</summary>
    private void WatchChanged(bool on)
    {
        lock (_lock)
        {
            if (on && _secondTimer is null)
            {
                ThreadCallCounts.Forget(_sites); // counted by a call that raced the end of the last watch: stale
                var second = CurrentSecond();
                Volatile.Write(ref _second, second);
                _secondTimer = _time.CreateTimer(_ => SecondEnded(), null, UntilStartOf(second + 1), Timeout.InfiniteTimeSpan);
            }
            else if (!on && _secondTimer is not null)
            {
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
        {
            if (_secondTimer is null)
                return;

            var ended = Second;
            CollectCounts(ended);
            foreach (var stats in _sites)
                stats.SampleMask = SampleMaskFor(stats.CallsIn(ended));

            // A timer fires up to a millisecond early (it counts whole milliseconds), or late: either way the calls go on
            // in the next second, and the timer aims at the start of the one after — never at what is left of this one,
            // which would close a second of a millisecond and take its few calls for the method's rate.
            var next = Math.Max(CurrentSecond(), ended + 1);
            Volatile.Write(ref _second, next);
            _secondTimer.Change(UntilStartOf(next + 1), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Moves what the threads counted since the last time into <paramref name="second"/> (under the lock).</summary>
    private void CollectCounts(long second)
    {
        var sites = _sites;
        Span<long> counted = sites.Length <= 256 ? stackalloc long[sites.Length] : new long[sites.Length];
        ThreadCallCounts.Collect(sites, counted);
        for (var i = 0; i < sites.Length; i++)
        {
            if (counted[i] != 0)
                sites[i].AddCalls(second, counted[i]);
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
        var nanoseconds = (long)((_time.GetTimestamp() - started) * _nanosecondsPerTick);
        var second = Second;
        stats.AddTime(second, nanoseconds, weight);
        if (failed)
            stats.AddException(second);
    }

    private long CurrentSecond() => _unixSecondAtOrigin + (_time.GetTimestamp() - _secondOrigin) / _frequency;

    private TimeSpan UntilStartOf(long second)
    {
        var remaining = (second - _unixSecondAtOrigin) * _frequency - (_time.GetTimestamp() - _secondOrigin);
        return TimeSpan.FromTicks((long)(Math.Max(0, remaining) * (TimeSpan.TicksPerSecond / (double)_frequency)));
    }

    /// <summary>The statistics of a grain class's method, from the class's own table: no dictionary on a call's way.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private MethodCallStats StatsFor(GrainClass grainClass, GrainMethod method)
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
            stats = new MethodCallStats(ThreadCallCounts.NewSite(), grainType.Value, method.Name);
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

    internal MethodCallStats(int site, string grainType, string method)
    {
        Site = site;
        GrainType = grainType;
        Method = method;
    }

    /// <summary>This call site's slot in every thread's <see cref="ThreadCallCounts"/>.</summary>
    internal int Site { get; }

    /// <summary>A synchronous call is timed when its thread's count at this site has these bits clear (0: every call).</summary>
    internal int SampleMask;

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
