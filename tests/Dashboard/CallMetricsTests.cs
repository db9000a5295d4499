using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Metrics;
using OrleansSync.Runtime.Testing;
using OrleansSync.Tests.Infrastructure;
using OrleansSync.Tests.Runtime;

namespace OrleansSync.Tests.Dashboard;

/// <summary>
/// The grain-call metrics behind the dashboard: on while someone watches, off a watch window after the last look;
/// while off, the filter records nothing and allocates nothing, and the runtime hands it no call.
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

        // Watched again: the same activations count from their next call, and only what ran since.
        watch.Touch();
        await counter.Get();
        time.Advance(TimeSpan.FromSeconds(1));
        var again = Assert.Single(metrics.Read(1).Methods, m => m.GrainType == "counter");
        Assert.Equal(("Get", 1L), (again.Method, again.Calls));
    }

    /// <remarks>
    /// Real timers count whole milliseconds and may fire up to one early: the second must still end once, at its end —
    /// not once early and again a moment later, closing a "second" of a millisecond whose calls would set the busy
    /// activation's stride from a fraction of its calls. And a timer may fire late, or not for a long while — its
    /// thread-pool callback waits while calls keep every thread busy: an observed call past the second then ends it.
    /// </remarks>
    [Theory]
    [InlineData("on time")]
    [InlineData("early")]
    [InlineData("never")]
    public async Task A_busy_activation_is_observed_on_a_sample_but_every_call_is_counted_in_its_own_second(string timersFire)
    {
        var time = new ManualTimeProvider();
        TimeProvider clock = timersFire switch { "early" => new EarlyTimers(time), "never" => new StalledTimers(time), _ => time };
        await using var cluster = await SingleSilo.StartAsync(o => o.Time = clock);
        var silo = cluster.Silos[0];
        var metrics = silo.Services.GetRequiredService<GrainCallMetrics>();
        var tenant = SingleSilo.NewTenant();
        var busy = cluster.Grains().GetGrain<ICounterGrain>($"{tenant}/busy");
        var quiet = cluster.Grains().GetGrain<ICounterGrain>($"{tenant}/quiet");
        await busy.Get();
        silo.Services.GetRequiredService<DashboardWatch>().Touch();

        // First second: nothing known of the activation yet, so it observes every call until it has observed a few,
        // then one in 2, 4, 8… Second second: its share of the silo's budget is all of it (the only busy activation),
        // so it observes one call in four.
        const int calls = 4 * GrainCallMetrics.ObservedPerSecond;
        for (var i = 0; i < calls; i++)
            await busy.Get();
        time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < calls; i++)
            await busy.Get();
        await quiet.ActivationId(); // a quiet activation observes every call, however busy the other
        time.Advance(TimeSpan.FromSeconds(1));

        var window = metrics.Read(2);
        var get = window.Methods.Single(m => m.Method == "Get");
        Assert.Equal(2 * calls, get.Calls);
        Assert.Equal((2 * calls) + 1, window.Seconds.Sum(s => s.Calls));
        var stride = Observation(silo, $"{tenant}/busy").Stride;
        if (timersFire == "never")
        {
            // The first observed call past the first second's end ended it, taking the calls since the last one observed:
            // fewer than two strides of the end of the first second, where the stride had doubled to a few hundred.
            Assert.InRange(window.Seconds[0].Calls, calls, calls + 4096);
            Assert.InRange(stride, 4, 5);
        }
        else
        {
            Assert.Equal([calls, calls + 1], window.Seconds.Select(s => s.Calls));
            Assert.Equal(4, stride);
        }

        // The observed calls' times stand for every call but those since the last one observed (all timed at 0 ns here).
        Assert.InRange(get.TimedWeight, (2 * calls) - 4096, 2 * calls);
        Assert.Equal(get.TimedWeight, get.Histogram.Sum());
        var activationId = window.Methods.Single(m => m.Method == "ActivationId");
        Assert.Equal((1, 1), (activationId.Calls, activationId.TimedWeight));
    }

    [Fact]
    public async Task A_busy_activations_calls_are_split_between_its_methods_by_its_observed_calls_and_every_failure_is_counted()
    {
        var time = new ManualTimeProvider();
        await using var cluster = await SingleSilo.StartAsync(o => o.Time = time);
        var silo = cluster.Silos[0];
        var metrics = silo.Services.GetRequiredService<GrainCallMetrics>();
        var key = $"{SingleSilo.NewTenant()}/turns";
        var turns = cluster.Grains().GetGrain<ITurnGrain>(key);
        await turns.Report();
        silo.Services.GetRequiredService<DashboardWatch>().Touch();

        // Three reads and one read of the context in every four calls, and now and then a failure; busy enough that in
        // the second second the activation observes one call in eight.
        const int rounds = 2 * GrainCallMetrics.ObservedPerSecond;
        for (var second = 0; second < 2; second++)
        {
            for (var i = 0; i < rounds; i++)
            {
                await turns.Report();
                await turns.Report();
                await turns.Report();
                await turns.ReadContext("k");
                if (i % 1000 == 0)
                    await Assert.ThrowsAsync<InvalidOperationException>(() => turns.Fail("now and then"));
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        var failures = (rounds / 1000) + 1;
        var window = metrics.Read(2);
        Assert.Equal(8, Observation(silo, key).Stride);
        Assert.Equal([(4 * rounds) + failures, (4 * rounds) + failures], window.Seconds.Select(s => s.Calls));
        var second2 = window.Seconds[1].At;
        var report = window.Methods.Single(m => m.Method == "Report");
        var read = window.Methods.Single(m => m.Method == "ReadContext");
        var fail = window.Methods.Single(m => m.Method == "Fail");
        Assert.Equal(2 * failures, fail.Exceptions);
        Assert.Equal(0, report.Exceptions + read.Exceptions);
        Assert.Equal(2 * ((4 * rounds) + failures), report.Calls + read.Calls + fail.Calls);

        // The second second, with a few tens of thousands of observed calls: the split is within a few percent.
        var last = metrics.Read(1);
        Assert.Equal(second2, last.Seconds.Single().At);
        var (reads, contexts) = (last.Methods.Single(m => m.Method == "Report").Calls, last.Methods.Single(m => m.Method == "ReadContext").Calls);
        Assert.InRange(contexts / (double)(reads + contexts), 0.23, 0.27);
    }

    [Fact]
    public async Task Calls_from_many_threads_are_all_counted_and_every_call_that_awaits_is_timed()
    {
        var time = new ManualTimeProvider();
        await using var cluster = await SingleSilo.StartAsync(o => o.Time = time);
        var services = cluster.Silos[0].Services;
        var metrics = services.GetRequiredService<GrainCallMetrics>();
        services.GetRequiredService<DashboardWatch>().Touch();
        var counters = Enumerable.Range(0, 8).Select(i => cluster.Grains().GetGrain<ICounterGrain>($"{SingleSilo.NewTenant()}/counter{i}")).ToArray();
        var turns = cluster.Grains().GetGrain<ITurnGrain>($"{SingleSilo.NewTenant()}/turns");

        // Busy enough that synchronous calls are sampled from the second second on.
        const int callsPerThread = 5_000;
        for (var round = 0; round < 2; round++)
        {
            // Dedicated threads that end afterwards: what they counted must not leave with them.
            var threads = counters.Select(c => new Thread(() =>
            {
                for (var i = 0; i < callsPerThread; i++)
                    c.Get().GetAwaiter().GetResult();
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            for (var i = 0; i < 50; i++)
                await turns.Record(i, workMilliseconds: 0); // awaits (Task.Yield): timed whatever the sample
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var window = metrics.Read(2);
        Assert.Equal([8 * callsPerThread + 50, 8 * callsPerThread + 50], window.Seconds.Select(s => s.Calls));
        var record = window.Methods.Single(m => m.Method == "Record");
        Assert.Equal((100, 100, 0), (record.Calls, record.TimedWeight, record.Exceptions));
        Assert.True(window.Methods.Single(m => m.Method == "Get").TimedWeight > 0);
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
            new GrainCallWindow(100, [Second(100, 3, 1, 300, 150, histogram), Second(101, 1, 0, 100, 100, histogram)], [new MethodTotals("deal", "GetDealAsync", 4, 1, 4, 400, 150, histogram)]),
            new GrainCallWindow(100, [Second(100, 2, 0, 200, 120, histogram), SecondTotals.Empty(101)], [new MethodTotals("deal", "GetDealAsync", 2, 0, 2, 200, 120, histogram)]),
        ]);
        Assert.Equal([(100L, 5L, 1L, 5L, 150L), (101L, 1L, 0L, 1L, 100L)], merged.Seconds.Select(s => (s.At, s.Calls, s.Exceptions, s.TimedWeight, s.MaxNanoseconds)));
        Assert.Equal(histogram.Sum() * 2, merged.Seconds[0].Histogram.Sum());
        var method = Assert.Single(merged.Methods);
        Assert.Equal((6, 1, 6, 600, 150), (method.Calls, method.Exceptions, method.TimedWeight, method.TotalNanoseconds, method.MaxNanoseconds));
        Assert.Equal(histogram.Sum() * 2, method.Histogram.Sum());
    }

    private static ObservedActivation Observation(TestSilo silo, string key)
        => silo.Runtime.Directory.Snapshot().Single(a => a.GrainId.Key == key).Observation!;

    private static SecondTotals Second(long at, long calls, long exceptions, long totalNanoseconds, long maxNanoseconds, long[] histogram)
        => new(at, calls, exceptions, calls, totalNanoseconds, maxNanoseconds, histogram);

    /// <summary>The clock of <paramref name="time"/>, with timers that fire half a millisecond before they are due.</summary>
    private sealed class EarlyTimers(ManualTimeProvider time) : TimeProvider
    {
        private static readonly TimeSpan Early = TimeSpan.FromMilliseconds(0.5);

        public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

        public override long GetTimestamp() => time.GetTimestamp();

        public override long TimestampFrequency => time.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            => new Timer(time.CreateTimer(callback, state, Sooner(dueTime), period));

        private static TimeSpan Sooner(TimeSpan dueTime) => dueTime > Early && dueTime != Timeout.InfiniteTimeSpan ? dueTime - Early : dueTime;

        private sealed class Timer(ITimer timer) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(Sooner(dueTime), period);

            public void Dispose() => timer.Dispose();

            public ValueTask DisposeAsync() => timer.DisposeAsync();
        }
    }

    /// <summary>The clock of <paramref name="time"/>, with timers that never fire (as on a thread pool whose threads are all busy).</summary>
    private sealed class StalledTimers(ManualTimeProvider time) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

        public override long GetTimestamp() => time.GetTimestamp();

        public override long TimestampFrequency => time.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Stalled();

        private sealed class Stalled : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
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
