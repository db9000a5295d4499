using System.Runtime.CompilerServices;

namespace OrleansSync.Runtime.Metrics;

/// <summary>
/// Running totals of watched grain calls, kept by each thread for itself: one slot per call site (a grain class's
/// method on one silo, <see cref="MethodCallStats.Site"/>) in an array only that thread writes. Counting a call is a
/// plain increment — no interlocked operation, no shared cache line, no clock. <see cref="Collect"/> adds up what every
/// thread counted since it last looked; <see cref="GrainCallMetrics"/> does that once a second, and before each read.
/// </summary>
/// <remarks>
/// Sites are numbered across the process (several silos share it in tests), so one array per thread serves them all.
/// A thread's array grows when it first counts a newer site; it is replaced, never resized in place, so a collector
/// that reads the old one sees totals that are merely a little behind. A thread that has ended is forgotten once
/// everything it counted has been collected.
/// </remarks>
internal static class ThreadCallCounts
{
    [ThreadStatic]
    private static long[]? t_counts;

    [ThreadStatic]
    private static Counter? t_counter;

    private static readonly Lock Gate = new();
    private static readonly List<Counter> Counters = [];
    private static int s_sites;

    /// <summary>A number for a new call site.</summary>
    public static int NewSite() => Interlocked.Increment(ref s_sites) - 1;

    /// <summary>Counts one call at <paramref name="site"/> on this thread, and answers this thread's total there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Increment(int site)
    {
        var counts = t_counts;
        if (counts is not null && (uint)site < (uint)counts.Length)
            return ++counts[site];
        return IncrementInLargerArray(site);
    }

    /// <summary>
    /// Adds to <paramref name="collected"/>[i] what every thread counted at <paramref name="sites"/>[i] since the last
    /// collection of that site.
    /// </summary>
    public static void Collect(ReadOnlySpan<MethodCallStats> sites, Span<long> collected)
    {
        lock (Gate)
        {
            for (var i = Counters.Count - 1; i >= 0; i--)
            {
                var counter = Counters[i];
                var counts = Volatile.Read(ref counter.Counts);
                for (var s = 0; s < sites.Length; s++)
                {
                    var site = sites[s].Site;
                    if (site < counts.Length)
                        collected[s] += counter.Take(site, Volatile.Read(ref counts[site]));
                }

                if (!counter.Owner.IsAlive && counter.IsDrained())
                    Counters.RemoveAt(i);
            }
        }
    }

    /// <summary>Drops what was counted at <paramref name="sites"/> and not collected: their silo has stopped.</summary>
    public static void Forget(ReadOnlySpan<MethodCallStats> sites)
    {
        Span<long> discarded = sites.Length <= 256 ? stackalloc long[sites.Length] : new long[sites.Length];
        Collect(sites, discarded);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long IncrementInLargerArray(int site)
    {
        var counter = t_counter;
        if (counter is null)
        {
            counter = new Counter(Thread.CurrentThread);
            lock (Gate)
                Counters.Add(counter);
            t_counter = counter;
        }

        // Room for every site made so far, and a few more, so that a silo's first watched calls grow it once or twice.
        var counts = t_counts ?? [];
        var larger = new long[Math.Max(Volatile.Read(ref s_sites), site + 1) + 16];
        counts.CopyTo(larger, 0);
        var total = ++larger[site];
        t_counts = larger;
        Volatile.Write(ref counter.Counts, larger);
        return total;
    }

    /// <summary>One thread's totals, and how much of them has been collected.</summary>
    private sealed class Counter(Thread owner)
    {
        public readonly Thread Owner = owner;

        /// <summary>Written by the owner thread only (replaced when it grows); read by collectors.</summary>
        public long[] Counts = [];

        private long[] _collected = [];

        /// <summary>What was counted at <paramref name="site"/> since the last time, given its total now (under the gate).</summary>
        public long Take(int site, long total)
        {
            if (site >= _collected.Length)
                Array.Resize(ref _collected, Math.Max(site + 1, Volatile.Read(ref Counts).Length));
            var since = total - _collected[site];
            _collected[site] = total;
            return since;
        }

        public bool IsDrained()
        {
            var counts = Volatile.Read(ref Counts);
            for (var site = 0; site < counts.Length; site++)
            {
                if (counts[site] != (site < _collected.Length ? _collected[site] : 0))
                    return false;
            }

            return true;
        }
    }
}
