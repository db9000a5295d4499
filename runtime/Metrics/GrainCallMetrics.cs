using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace OrleansSync.Runtime.Metrics;

/// <summary>
/// The incoming-call filter behind the dashboard's grain views: per grain type and method, in per-second buckets of
/// the last <see cref="MethodCallStats.RingSeconds"/> seconds, the calls, their total and longest time, the exceptions
/// and a latency histogram (for p99). It records only while <see cref="DashboardWatch.IsOn"/>; otherwise it is
/// <see cref="IIncomingGrainCallFilter.IsActive">inactive</see> and the runtime does not even build a call context.
/// When it is the silo's only filter, the runtime calls <see cref="CallStarting"/> and <see cref="CallEnded"/> around
/// the grain method itself, without a context either.
/// </summary>
/// <remarks>
/// Recording allocates nothing once a method has been seen: the buckets are preallocated arrays, striped by processor
/// so that two cores calling the same method do not fight over one cache line, and updated with interlocked operations
/// (no lock; a bucket is cleared under a lock once per second when its slot comes round again).
/// </remarks>
public sealed class GrainCallMetrics : IIncomingGrainCallFilter
{
    private readonly DashboardWatch _watch;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<CallSite, MethodCallStats> _methods = new(CallSite.Comparer.Instance);
    private readonly int _stripes;
    private readonly double _nanosecondsPerTick;
    private readonly long _frequency;
    private readonly long _secondOrigin;
    private readonly long _unixSecondAtOrigin;

    public GrainCallMetrics(DashboardWatch watch, TimeProvider time)
    {
        _watch = watch;
        _time = time;
        _stripes = (int)Math.Min(8, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
        _frequency = time.TimestampFrequency;
        _nanosecondsPerTick = 1e9 / _frequency;

        // Buckets are keyed by Unix seconds, so that silos' buckets line up when merged; the monotonic timestamp is
        // shifted once so that its whole seconds fall on the wall clock's.
        var timestamp = time.GetTimestamp();
        var unixMilliseconds = time.GetUtcNow().ToUnixTimeMilliseconds();
        _unixSecondAtOrigin = unixMilliseconds / 1000;
        _secondOrigin = timestamp - (long)(unixMilliseconds % 1000 * (_frequency / 1000.0));
    }

    public bool IsActive => _watch.IsOn;

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (!_watch.IsOn)
            return context.Invoke();

        var stats = StatsFor(context.Grain.GetType(), context.TargetId.Type, context.Method);
        var started = _time.GetTimestamp();
        Task call;
        try
        {
            call = context.Invoke();
        }
        catch
        {
            Record(stats, started, failed: true);
            throw;
        }

        if (!call.IsCompleted)
            return AwaitAndRecordAsync(call, stats, started);
        Record(stats, started, failed: !call.IsCompletedSuccessfully);
        return call;
    }

    /// <summary>When the runtime observes a call itself (this filter alone, no context): the call starts now.</summary>
    internal long CallStarting() => _time.GetTimestamp();

    /// <summary>When the runtime observes a call itself: it ended, and how.</summary>
    internal void CallEnded(Type grainClass, GrainType grainType, GrainMethod method, long started, bool failed)
        => Record(StatsFor(grainClass, grainType, method), started, failed);

    /// <summary>
    /// What the last <paramref name="seconds"/> whole seconds saw (the second under way is left out): totals per second
    /// across every method, oldest first, and totals per method. Methods not called in that time are left out.
    /// </summary>
    public GrainCallWindow Read(int seconds)
    {
        seconds = Math.Clamp(seconds, 1, MethodCallStats.RingSeconds - 1);
        var last = CurrentSecond() - 1;
        var first = last - seconds + 1;
        var perSecond = new SecondTotals[seconds];
        for (var i = 0; i < seconds; i++)
            perSecond[i] = new SecondTotals(first + i, 0, 0, 0);

        var methods = new List<MethodTotals>();
        foreach (var stats in _methods.Values)
        {
            if (stats.Read(first, last, perSecond) is { } totals)
                methods.Add(totals);
        }

        return new GrainCallWindow(first, perSecond, methods);
    }

    private async Task AwaitAndRecordAsync(Task call, MethodCallStats stats, long started)
    {
        try
        {
            await call;
        }
        catch
        {
            Record(stats, started, failed: true);
            throw;
        }

        Record(stats, started, failed: false);
    }

    private void Record(MethodCallStats stats, long started, bool failed)
    {
        var ended = _time.GetTimestamp();
        stats.Record(SecondOf(ended), (long)((ended - started) * _nanosecondsPerTick), failed);
    }

    private long CurrentSecond() => SecondOf(_time.GetTimestamp());

    private long SecondOf(long timestamp) => _unixSecondAtOrigin + (timestamp - _secondOrigin) / _frequency;

    private MethodCallStats StatsFor(Type grainClass, GrainType grainType, GrainMethod method)
    {
        var site = new CallSite(grainClass, method);
        return _methods.TryGetValue(site, out var stats)
            ? stats
            : _methods.GetOrAdd(site, static (site, state) => new MethodCallStats(state.Type, site.Method.Name, state.Stripes), (Type: grainType.Value, Stripes: _stripes));
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
/// One grain type's method: a ring of per-second buckets per stripe. A bucket is a run of longs: its second, the calls,
/// the exceptions, the total and longest time in nanoseconds, then the latency histogram.
/// </summary>
internal sealed class MethodCallStats
{
    /// <summary>Seconds kept: two minutes.</summary>
    public const int RingSeconds = 120;

    private const int Second = 0;
    private const int Calls = 1;
    private const int Exceptions = 2;
    private const int TotalNanoseconds = 3;
    private const int MaxNanoseconds = 4;
    private const int Histogram = 5;
    private const int Stride = Histogram + LatencyHistogram.BucketCount;

    private readonly long[][] _stripes;
    private readonly int _stripeMask;

    public MethodCallStats(string grainType, string method, int stripes)
    {
        GrainType = grainType;
        Method = method;
        _stripeMask = stripes - 1;
        _stripes = new long[stripes][];
        for (var i = 0; i < stripes; i++)
            _stripes[i] = new long[RingSeconds * Stride];
    }

    public string GrainType { get; }

    public string Method { get; }

    public void Record(long second, long nanoseconds, bool failed)
    {
        var ring = _stripes[Thread.GetCurrentProcessorId() & _stripeMask];
        var at = (int)(second % RingSeconds) * Stride;
        if (Volatile.Read(ref ring[at + Second]) != second)
            Roll(ring, at, second);

        Interlocked.Increment(ref ring[at + Calls]);
        if (failed)
            Interlocked.Increment(ref ring[at + Exceptions]);
        Interlocked.Add(ref ring[at + TotalNanoseconds], nanoseconds);
        var max = Volatile.Read(ref ring[at + MaxNanoseconds]);
        while (nanoseconds > max)
        {
            var seen = Interlocked.CompareExchange(ref ring[at + MaxNanoseconds], nanoseconds, max);
            if (seen == max)
                break;
            max = seen;
        }

        Interlocked.Increment(ref ring[at + Histogram + LatencyHistogram.BucketOf(nanoseconds)]);
    }

    /// <summary>Adds seconds <paramref name="first"/>–<paramref name="last"/> into <paramref name="perSecond"/>, and answers this method's totals (null when it had no calls).</summary>
    public MethodTotals? Read(long first, long last, SecondTotals[] perSecond)
    {
        long calls = 0, exceptions = 0, total = 0, max = 0;
        var histogram = new long[LatencyHistogram.BucketCount];
        foreach (var ring in _stripes)
        {
            for (var second = first; second <= last; second++)
            {
                var at = (int)(second % RingSeconds) * Stride;
                if (Volatile.Read(ref ring[at + Second]) != second)
                    continue;
                var bucketCalls = Volatile.Read(ref ring[at + Calls]);
                if (bucketCalls == 0)
                    continue;
                var bucketExceptions = Volatile.Read(ref ring[at + Exceptions]);
                var bucketTotal = Volatile.Read(ref ring[at + TotalNanoseconds]);
                calls += bucketCalls;
                exceptions += bucketExceptions;
                total += bucketTotal;
                max = Math.Max(max, Volatile.Read(ref ring[at + MaxNanoseconds]));
                for (var i = 0; i < histogram.Length; i++)
                    histogram[i] += Volatile.Read(ref ring[at + Histogram + i]);

                var index = (int)(second - first);
                var seen = perSecond[index];
                perSecond[index] = seen with { Calls = seen.Calls + bucketCalls, Exceptions = seen.Exceptions + bucketExceptions, TotalNanoseconds = seen.TotalNanoseconds + bucketTotal };
            }
        }

        return calls == 0 ? null : new MethodTotals(GrainType, Method, calls, exceptions, total, max, histogram);
    }

    /// <summary>The slot's second has come round again: clear what it held two minutes ago.</summary>
    private static void Roll(long[] ring, int at, long second)
    {
        lock (ring)
        {
            if (Volatile.Read(ref ring[at + Second]) == second)
                return;
            Array.Clear(ring, at + 1, Stride - 1);
            Volatile.Write(ref ring[at + Second], second);
        }
    }
}
