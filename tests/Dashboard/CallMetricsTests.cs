using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Metrics;
using OrleansSync.Runtime.Testing;
using OrleansSync.Tests.Infrastructure;
using OrleansSync.Tests.Runtime;

namespace OrleansSync.Tests.Dashboard;

/// <summary>
/// The grain-call metrics behind the dashboard: on while someone watches, off a watch window after the last look, and
/// nearly free while off — one volatile read, no allocation, and the runtime skips the filter altogether.
/// </summary>
public sealed class CallMetricsTests
{
    [Fact]
    public void The_watch_is_on_from_the_first_look_until_a_whole_window_passes_without_one()
    {
        var time = new ManualTimeProvider();
        using var watch = new DashboardWatch(time, Options.Create(new DashboardWatchOptions()), new ProcessSampler(time));
        Assert.False(watch.IsOn);
        Assert.Null(watch.WatchedSince);

        watch.Touch();
        Assert.True(watch.IsOn);
        Assert.Equal(time.GetUtcNow(), watch.WatchedSince);

        time.Advance(TimeSpan.FromSeconds(30));
        watch.Touch(); // looked again: another 60 s from now
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.True(watch.IsOn);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(watch.IsOn);
        Assert.Null(watch.WatchedSince);

        watch.Touch();
        Assert.True(watch.IsOn);
    }

    [Fact]
    public async Task While_nobody_watches_the_filter_is_inactive_records_nothing_and_allocates_nothing()
    {
        var time = new ManualTimeProvider();
        using var watch = new DashboardWatch(time, Options.Create(new DashboardWatchOptions()), new ProcessSampler(time));
        var metrics = new GrainCallMetrics(watch, time);
        var context = new PassThroughContext();

        Assert.False(metrics.IsActive);
        await metrics.Invoke(context); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
            await metrics.Invoke(context);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(10_001, context.Invoked);
        Assert.Empty(metrics.Read(60).Methods);
    }

    [Fact]
    public async Task Calls_are_counted_per_grain_type_and_method_only_while_watched()
    {
        var time = new ManualTimeProvider();
        await using var cluster = await SingleSilo.StartAsync(o => o.Time = time);
        var services = cluster.Silos[0].Services;
        var metrics = services.GetRequiredService<GrainCallMetrics>();
        var watch = services.GetRequiredService<DashboardWatch>();
        var counter = cluster.Grains().GetGrain<ICounterGrain>($"{SingleSilo.NewTenant()}/counter");
        var turns = cluster.Grains().GetGrain<ITurnGrain>($"{SingleSilo.NewTenant()}/turns");

        await counter.Add(1); // nobody watches
        watch.Touch();
        await counter.Add(1);
        await counter.Add(2);
        await counter.Get();
        await Assert.ThrowsAsync<InvalidOperationException>(() => turns.Fail("on purpose"));
        time.Advance(TimeSpan.FromSeconds(1));

        var window = metrics.Read(5);
        var add = window.Methods.Single(m => m.GrainType == "counter" && m.Method.StartsWith("Add", StringComparison.Ordinal));
        Assert.Equal((2, 0), (add.Calls, add.Exceptions));
        Assert.Equal(2, add.Histogram.Sum());
        Assert.Equal(1, window.Methods.Single(m => m.GrainType == "counter" && m.Method == "Get").Calls);
        var fail = window.Methods.Single(m => m.GrainType == "turn");
        Assert.Equal((1, 1), (fail.Calls, fail.Exceptions));
        Assert.Equal(5, window.Seconds.Count);
        Assert.Equal(4, window.Seconds.Sum(s => s.Calls));
        Assert.Equal(1, window.Seconds.Sum(s => s.Exceptions));

        // A minute without a look: collection stops, and the runtime no longer builds a context for the filter.
        time.Advance(TimeSpan.FromSeconds(61));
        await Task.Delay(50);
        Assert.False(watch.IsOn);
        Assert.False(metrics.IsActive);
        await counter.Add(1);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(metrics.Read(1).Methods);
    }

    [Fact]
    public void A_p99_is_the_bucket_where_99_percent_of_calls_fell_and_never_above_the_longest_call()
    {
        var histogram = new long[LatencyHistogram.BucketCount];
        histogram[LatencyHistogram.BucketOf(800_000)] = 99;          // 0.8 ms: in the "up to 1 ms" bucket
        histogram[LatencyHistogram.BucketOf(2_000_000_000)] = 1;     // one call of 2 s
        Assert.Equal(1.0, LatencyHistogram.Percentile(histogram, 0.99, maxNanoseconds: 2_000_000_000));

        histogram[LatencyHistogram.BucketOf(2_000_000_000)] = 2;
        Assert.Equal(2000.0, LatencyHistogram.Percentile(histogram, 0.99, maxNanoseconds: 2_000_000_000));
        Assert.Null(LatencyHistogram.Percentile(new long[LatencyHistogram.BucketCount], 0.99, 0));

        var merged = GrainCallWindow.Merge(
        [
            new GrainCallWindow(100, [new SecondTotals(100, 3, 1, 300), new SecondTotals(101, 1, 0, 100)], [new MethodTotals("deal", "GetDealAsync", 4, 1, 400, 150, histogram)]),
            new GrainCallWindow(100, [new SecondTotals(100, 2, 0, 200), new SecondTotals(101, 0, 0, 0)], [new MethodTotals("deal", "GetDealAsync", 2, 0, 200, 120, histogram)]),
        ]);
        Assert.Equal([(100L, 5L, 1L), (101L, 1L, 0L)], merged.Seconds.Select(s => (s.At, s.Calls, s.Exceptions)));
        var method = Assert.Single(merged.Methods);
        Assert.Equal((6, 1, 600, 150), (method.Calls, method.Exceptions, method.TotalNanoseconds, method.MaxNanoseconds));
        Assert.Equal(histogram.Sum() * 2, method.Histogram.Sum());
    }

    /// <summary>A call whose grain method completes at once; the filter must not look at anything else while off.</summary>
    private sealed class PassThroughContext : IIncomingGrainCallContext
    {
        public int Invoked { get; private set; }

        public Grain Grain => throw new InvalidOperationException("An inactive filter looked at the grain.");

        public GrainId TargetId => throw new InvalidOperationException("An inactive filter looked at the target.");

        public GrainMethod Method => throw new InvalidOperationException("An inactive filter looked at the method.");

        public object? Result => null;

        public Task Invoke()
        {
            Invoked++;
            return Task.CompletedTask;
        }
    }
}
