using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Runtime;

public sealed class ActivationTests
{
    [Fact]
    public async Task An_activation_failure_reaches_every_waiting_caller_and_the_next_call_tries_again()
    {
        await using var cluster = await SingleSilo.StartAsync();
        var key = $"{SingleSilo.NewTenant()}/fragile";
        GrainProbe.FailActivation[key] = true;
        var grain = cluster.Grains().GetGrain<IFragileGrain>(key);

        var failures = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Assert.ThrowsAsync<ArgumentException>(() => grain.Ping())));
        Assert.All(failures, f => Assert.Contains("refuses to activate", f.Message));

        GrainProbe.FailActivation.TryRemove(key, out _);
        Assert.Equal("pong", await grain.Ping());
    }

    [Fact]
    public async Task A_grain_nobody_calls_is_deactivated_after_the_collection_age_and_comes_back_on_the_next_call()
    {
        var clock = new ManualTimeProvider();
        await using var cluster = await SingleSilo.StartAsync(o => o.Time = clock);
        var key = $"{SingleSilo.NewTenant()}/counter";
        var grain = cluster.Grains().GetGrain<ICounterGrain>(key);
        await grain.Add(3);
        var firstActivation = await grain.ActivationId();

        // Ten quiet minutes: still there (the default age is fifteen).
        for (var minute = 0; minute < 10; minute++)
            await AdvanceAsync(clock, TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(GrainProbe.EventsOf(key), e => e.StartsWith("deactivated", StringComparison.Ordinal));

        for (var minute = 0; minute < 8 && !GrainProbe.EventsOf(key).Contains("deactivated ActivationIdle"); minute++)
            await AdvanceAsync(clock, TimeSpan.FromMinutes(1));
        await Eventually.HoldsAsync(() => GrainProbe.EventsOf(key).Contains("deactivated ActivationIdle"), TimeSpan.FromSeconds(5), "the idle grain was collected");

        Assert.Equal(3, await grain.Get());
        Assert.NotEqual(firstActivation, await grain.ActivationId());
    }

    [Fact]
    public async Task A_grain_in_use_is_not_collected()
    {
        var clock = new ManualTimeProvider();
        await using var cluster = await SingleSilo.StartAsync(o => o.Time = clock);
        var key = $"{SingleSilo.NewTenant()}/counter";
        var grain = cluster.Grains().GetGrain<ICounterGrain>(key);
        var activation = await grain.ActivationId();

        for (var minute = 0; minute < 40; minute++)
        {
            await AdvanceAsync(clock, TimeSpan.FromMinutes(1));
            if (minute % 5 == 0)
                await grain.Get();
        }

        Assert.Equal(activation, await grain.ActivationId());
    }

    [Fact]
    public async Task DeactivateOnIdle_deactivates_after_the_call_and_state_survives()
    {
        await using var cluster = await SingleSilo.StartAsync();
        var key = $"{SingleSilo.NewTenant()}/counter";
        var grain = cluster.Grains().GetGrain<ICounterGrain>(key);
        await grain.Add(5);
        var first = await grain.ActivationId();

        await grain.Deactivate();
        await Eventually.HoldsAsync(() => GrainProbe.EventsOf(key).Contains("deactivated ApplicationRequested"), TimeSpan.FromSeconds(5), "the grain deactivated");

        Assert.Equal(5, await grain.Get());
        Assert.NotEqual(first, await grain.ActivationId());
        Assert.Equal(["activated 0", "deactivated ApplicationRequested", "activated 5"], GrainProbe.EventsOf(key));
    }

    [Fact]
    public async Task Generated_references_handle_overloads_value_tasks_and_inherited_methods()
    {
        await using var cluster = await SingleSilo.StartAsync();
        var tenant = SingleSilo.NewTenant();
        var counter = cluster.Grains().GetGrain<ICounterGrain>($"{tenant}/counter");

        Assert.Equal(2, await counter.Add(2));
        Assert.Equal(14, await counter.Add(3, times: 4));
        Assert.Equal($"{tenant}/counter = 14 (etag 2)", await counter.Describe());

        var greeter = cluster.Grains().GetGrain<IGreeterGrain>($"{tenant}/greeter");
        Assert.Equal($"Hello Ada from {tenant}/greeter", await greeter.Hello("Ada"));
        Assert.Equal("Goodbye", await greeter.Goodbye());
        Assert.Equal($"{tenant}/greeter", greeter.GetPrimaryKeyString());
    }

    [Fact]
    public async Task Incoming_call_filters_see_every_call_with_its_method()
    {
        var filter = new RecordingFilter();
        await using var cluster = await SingleSilo.StartAsync(o =>
        {
            var configure = o.ConfigureSilo!;
            o.ConfigureSilo = silo =>
            {
                configure(silo);
                silo.Services.AddSingleton<IIncomingGrainCallFilter>(filter);
            };
        });
        var grain = cluster.Grains().GetGrain<ICounterGrain>($"{SingleSilo.NewTenant()}/counter");

        await grain.Add(1);
        await grain.Get();
        await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.Grains().GetGrain<ITurnGrain>($"{SingleSilo.NewTenant()}/t").Fail("x"));

        Assert.Equal(["ICounterGrain.Add(int) -> 1", "ICounterGrain.Get -> 1", "ITurnGrain.Fail threw InvalidOperationException"], filter.Seen);
    }

    [Fact]
    public async Task Keys_without_a_tenant_are_refused()
    {
        await using var cluster = await SingleSilo.StartAsync();
        Assert.Throws<ArgumentException>(() => cluster.Grains().GetGrain<ICounterGrain>("/deal/1"));
        Assert.Throws<ArgumentException>(() => cluster.Grains().GetGrain<ICounterGrain>(""));
    }

    private static async Task AdvanceAsync(ManualTimeProvider clock, TimeSpan by)
    {
        clock.Advance(by);
        // Let the silo's timers' continuations run before the clock moves again.
        await Task.Delay(30);
    }

    private sealed class RecordingFilter : IIncomingGrainCallFilter
    {
        private readonly List<string> _seen = [];

        public IReadOnlyList<string> Seen
        {
            get
            {
                lock (_seen)
                    return [.. _seen];
            }
        }

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            string outcome;
            try
            {
                await context.Invoke();
                outcome = $"-> {context.Result}";
            }
            catch (Exception exception)
            {
                outcome = $"threw {exception.GetType().Name}";
                Add(context, outcome);
                throw;
            }

            Add(context, outcome);
        }

        private void Add(IIncomingGrainCallContext context, string outcome)
        {
            lock (_seen)
                _seen.Add($"{context.Method} {outcome}");
        }
    }
}
