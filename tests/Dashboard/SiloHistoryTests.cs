using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime.Metrics;
using OrleansSync.Tests.Infrastructure;
using OrleansSync.Tests.Runtime;

namespace OrleansSync.Tests.Dashboard;

/// <summary>
/// A silo's history for its charts (CPU, memory, activations, calls per second): one sample per sample interval while
/// someone watches, none while nobody does, and only the last <see cref="DashboardWatchOptions.HistoryWindow"/> kept.
/// </summary>
public sealed class SiloHistoryTests
{
    [Fact]
    public async Task A_sample_is_taken_each_second_while_someone_watches_and_none_otherwise()
    {
        var time = new ManualTimeProvider();
        await using var cluster = await SingleSilo.StartAsync(o => o.Time = time);
        var services = cluster.Silos[0].Services;
        var history = services.GetRequiredService<SiloHistory>();
        var watch = services.GetRequiredService<DashboardWatch>();
        var counter = cluster.Grains().GetGrain<ICounterGrain>($"{SingleSilo.NewTenant()}/counter");

        await counter.Add(1);
        time.Advance(TimeSpan.FromSeconds(10)); // nobody watches
        Assert.Empty(history.Read().Samples);

        watch.Touch();
        var watchedFrom = time.GetUtcNow();
        for (var i = 0; i < 4; i++)
            await counter.Add(1);
        time.Advance(TimeSpan.FromSeconds(3));

        var snapshot = history.Read();
        Assert.Equal(watchedFrom, snapshot.CollectingSince);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5)), (snapshot.SampleInterval, snapshot.Window));
        Assert.Equal([watchedFrom.AddSeconds(1), watchedFrom.AddSeconds(2), watchedFrom.AddSeconds(3)], snapshot.Samples.Select(s => s.At));
        Assert.Equal(4, snapshot.Samples[0].CallsPerSecond); // the four calls, in the second before the first sample
        Assert.Equal(0, snapshot.Samples[2].CallsPerSecond);
        Assert.All(snapshot.Samples, s => Assert.True(s.MemoryBytes > 0 && s.GcHeapBytes > 0 && s.Activations >= 1));
        Assert.All(snapshot.Samples, s => Assert.NotNull(s.CpuPercent));

        // Nobody looks again: sampling stops with the watch, a minute after the look.
        time.Advance(TimeSpan.FromSeconds(120));
        Assert.False(watch.IsOn);
        var samples = history.Read().Samples;
        Assert.Equal(59, samples.Count);
        Assert.Equal(watchedFrom.AddSeconds(59), samples[^1].At);

        // Past the window, the samples are history no longer.
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(history.Read().Samples);
    }
}
