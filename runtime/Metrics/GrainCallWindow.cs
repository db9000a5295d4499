namespace OrleansSync.Runtime.Metrics;

/// <summary>
/// Every method's calls in one second (Unix seconds), on one silo or, merged, on the cluster: how many, the exceptions,
/// and their time — from the timed calls, whose <see cref="TimedWeight"/> is the number of calls they stand for (see
/// <see cref="GrainCallMetrics"/>): the average is <see cref="TotalNanoseconds"/> / <see cref="TimedWeight"/>.
/// </summary>
public sealed record SecondTotals(long At, long Calls, long Exceptions, long TimedWeight, long TotalNanoseconds, long MaxNanoseconds, long[] Histogram)
{
    public static SecondTotals Empty(long at) => new(at, 0, 0, 0, 0, 0, new long[LatencyHistogram.BucketCount]);

    public SecondTotals Plus(SecondTotals other) => this with
    {
        Calls = Calls + other.Calls,
        Exceptions = Exceptions + other.Exceptions,
        TimedWeight = TimedWeight + other.TimedWeight,
        TotalNanoseconds = TotalNanoseconds + other.TotalNanoseconds,
        MaxNanoseconds = Math.Max(MaxNanoseconds, other.MaxNanoseconds),
        Histogram = LatencyHistogram.Add(Histogram, other.Histogram),
    };
}

/// <summary>
/// One grain type's method over a window: calls, exceptions, and the timed calls' weight, total and longest time and
/// latency histogram (<see cref="LatencyHistogram"/>).
/// </summary>
public sealed record MethodTotals(string GrainType, string Method, long Calls, long Exceptions, long TimedWeight, long TotalNanoseconds, long MaxNanoseconds, long[] Histogram);

/// <summary>
/// The grain calls of a window of whole seconds, starting at <paramref name="FirstSecond"/> (Unix seconds): totals per
/// second, oldest first, and per method. Windows of several silos merge by adding up: the histograms too, so a p99 of
/// the merged window is the cluster's.
/// </summary>
public sealed record GrainCallWindow(long FirstSecond, IReadOnlyList<SecondTotals> Seconds, IReadOnlyList<MethodTotals> Methods)
{
    public static GrainCallWindow Merge(IReadOnlyCollection<GrainCallWindow> windows)
    {
        if (windows.Count == 0)
            return new GrainCallWindow(0, [], []);

        var bySecond = new SortedDictionary<long, SecondTotals>();
        foreach (var second in windows.SelectMany(w => w.Seconds))
            bySecond[second.At] = bySecond.TryGetValue(second.At, out var seen) ? seen.Plus(second) : second;

        var methods = windows.SelectMany(w => w.Methods)
            .GroupBy(m => (m.GrainType, m.Method))
            .Select(g => g.Aggregate((a, b) => a with
            {
                Calls = a.Calls + b.Calls,
                Exceptions = a.Exceptions + b.Exceptions,
                TimedWeight = a.TimedWeight + b.TimedWeight,
                TotalNanoseconds = a.TotalNanoseconds + b.TotalNanoseconds,
                MaxNanoseconds = Math.Max(a.MaxNanoseconds, b.MaxNanoseconds),
                Histogram = LatencyHistogram.Add(a.Histogram, b.Histogram),
            }))
            .ToList();
        return new GrainCallWindow(bySecond.Count == 0 ? windows.Min(w => w.FirstSecond) : bySecond.Keys.First(), [.. bySecond.Values], methods);
    }
}

/// <summary>
/// Call latencies counted in log-spaced buckets (1–2.5–5 per decade, 10 µs to 10 s, and one above), enough for a p99
/// that is right to within its bucket — and never above the longest call seen.
/// </summary>
public static class LatencyHistogram
{
    /// <summary>The upper bound of each bucket but the last, which is open.</summary>
    public static readonly long[] UpperBoundsNanoseconds =
    [
        10_000, 25_000, 50_000,
        100_000, 250_000, 500_000,
        1_000_000, 2_500_000, 5_000_000,
        10_000_000, 25_000_000, 50_000_000,
        100_000_000, 250_000_000, 500_000_000,
        1_000_000_000, 2_500_000_000, 5_000_000_000,
        10_000_000_000,
    ];

    public const int BucketCount = 20;

    public static int BucketOf(long nanoseconds)
    {
        var bounds = UpperBoundsNanoseconds;
        for (var i = 0; i < bounds.Length; i++)
        {
            if (nanoseconds <= bounds[i])
                return i;
        }

        return bounds.Length;
    }

    /// <summary>
    /// The latency under which <paramref name="fraction"/> of the calls fell, in milliseconds: the upper bound of the
    /// bucket where that share is reached, or the longest call when that is shorter. Null without calls.
    /// </summary>
    public static double? Percentile(IReadOnlyList<long> histogram, double fraction, long maxNanoseconds)
    {
        var total = histogram.Sum();
        if (total == 0)
            return null;
        var wanted = (long)Math.Ceiling(total * fraction);
        long seen = 0;
        for (var i = 0; i < histogram.Count; i++)
        {
            seen += histogram[i];
            if (seen >= wanted)
                return (i < UpperBoundsNanoseconds.Length ? Math.Min(UpperBoundsNanoseconds[i], maxNanoseconds) : maxNanoseconds) / 1e6;
        }

        return maxNanoseconds / 1e6;
    }

    /// <summary>Adds <paramref name="source"/> into <paramref name="target"/>, bucket by bucket.</summary>
    public static void AddTo(long[] target, long[] source)
    {
        for (var i = 0; i < Math.Min(target.Length, source.Length); i++)
            target[i] += source[i];
    }

    public static long[] Add(long[] a, long[] b)
    {
        var sum = new long[Math.Max(a.Length, b.Length)];
        for (var i = 0; i < sum.Length; i++)
            sum[i] = (i < a.Length ? a[i] : 0) + (i < b.Length ? b[i] : 0);
        return sum;
    }
}
