using OrleansSync.Runtime;

namespace OrleansSync.Tests.Runtime;

/// <summary>Calls to one grain run one at a time, in arrival order; calls to different grains run side by side.</summary>
public sealed class TurnTests
{
    [Fact]
    public async Task Hundred_concurrent_calls_to_one_grain_run_one_at_a_time_in_arrival_order()
    {
        await using var cluster = await SingleSilo.StartAsync();
        var grain = cluster.Grains().GetGrain<ITurnGrain>($"{SingleSilo.NewTenant()}/turns");

        // Issued back to back without waiting: the first runs at once, the other 99 queue behind it.
        var calls = Enumerable.Range(0, 100).Select(i => grain.Record(i, workMilliseconds: i % 10 == 0 ? 5 : 0)).ToList();
        await Task.WhenAll(calls);

        var report = await grain.Report();
        Assert.Equal(Enumerable.Range(0, 100), report.Values);
        Assert.Equal(1, report.MaxConcurrent);
    }

    [Fact]
    public async Task Calls_from_many_threads_never_overlap_inside_one_grain()
    {
        await using var cluster = await SingleSilo.StartAsync();
        var grain = cluster.Grains().GetGrain<ITurnGrain>($"{SingleSilo.NewTenant()}/turns");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
                await grain.Record((thread * 1000) + i, workMilliseconds: 0);
        })));

        var report = await grain.Report();
        Assert.Equal(800, report.Values.Count);
        Assert.Equal(1, report.MaxConcurrent);
        // Each caller's own calls keep their order.
        foreach (var thread in Enumerable.Range(0, 8))
            Assert.Equal(Enumerable.Range(thread * 1000, 100), report.Values.Where(v => v / 1000 == thread));
    }

    [Fact]
    public async Task Calls_to_different_grains_run_in_parallel()
    {
        await using var cluster = await SingleSilo.StartAsync();
        var tenant = SingleSilo.NewTenant();
        const int grains = 20;

        // Each call waits until all twenty are inside their grains at once: serialised calls would never get there.
        var meeting = Guid.NewGuid().ToString();
        var calls = Enumerable.Range(0, grains).Select(i => cluster.Grains().GetGrain<ITurnGrain>($"{tenant}/g{i}").Rendezvous(meeting, grains));
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_grain_exception_reaches_the_caller_and_the_grain_keeps_serving()
    {
        await using var cluster = await SingleSilo.StartAsync();
        var grain = cluster.Grains().GetGrain<ITurnGrain>($"{SingleSilo.NewTenant()}/turns");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Fail("nope"));
        Assert.Equal("nope", error.Message);
        Assert.Equal(7, await grain.Record(7, 0));
    }

    [Fact]
    public async Task A_call_that_does_not_answer_in_time_times_out()
    {
        await using var cluster = await SingleSilo.StartAsync(o =>
        {
            o.Configuration["Grains:ResponseTimeout"] = "00:00:00.300";
            o.Configuration["Grains:DeactivationTimeout"] = "00:00:00.500";
        });
        var grain = cluster.Grains().GetGrain<ITurnGrain>($"{SingleSilo.NewTenant()}/turns");

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => grain.Hang());
        Assert.Contains("Hang", timeout.Message);
    }

    [Fact]
    public async Task Request_context_travels_with_calls_run_inline_and_queued()
    {
        await using var cluster = await SingleSilo.StartAsync();
        var grain = cluster.Grains().GetGrain<ITurnGrain>($"{SingleSilo.NewTenant()}/turns");

        RequestContext.Set("cause", "webhook 42");
        Assert.Equal("webhook 42", await grain.ReadContext("cause"));

        // Queued behind a slow call, the second call still sees its own caller's context.
        var slow = grain.Record(1, workMilliseconds: 50);
        RequestContext.Set("cause", "reminder");
        var queued = grain.ReadContext("cause");
        RequestContext.Set("cause", null);
        await slow;
        Assert.Equal("reminder", await queued);
        Assert.Null(await grain.ReadContext("cause"));
    }
}
