using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime.Reminders;
using OrleansSync.Runtime.Testing;
using OrleansSync.Runtime;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Runtime;

/// <summary>Reminders in the single-process default, on a clock the test moves.</summary>
public sealed class ReminderTests
{
    [Fact]
    public async Task A_reminder_fires_on_time_every_period()
    {
        var clock = new ManualTimeProvider();
        await using var cluster = await SingleSilo.StartAsync(o => o.Time = clock);
        var key = $"{SingleSilo.NewTenant()}/reminder";
        var start = clock.GetUtcNow();
        await cluster.Grains().GetGrain<IReminderGrain>(key).Start("tick", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

        for (var minute = 1; minute <= 5; minute++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            var expected = minute;
            await Eventually.HoldsAsync(() => TicksOf(key).Count == expected, TimeSpan.FromSeconds(5), $"tick {expected} fired");
        }

        Assert.Equal(Enumerable.Range(1, 5).Select(m => start + TimeSpan.FromMinutes(m)), TicksOf(key).Select(t => t.TickTime));
    }

    [Fact]
    public async Task Ticks_missed_while_nothing_ran_fire_once_and_the_schedule_resumes_on_the_period()
    {
        var clock = new ManualTimeProvider();
        await using var cluster = await SingleSilo.StartAsync(o => o.Time = clock);
        var key = $"{SingleSilo.NewTenant()}/reminder";
        var start = clock.GetUtcNow();
        await cluster.Grains().GetGrain<IReminderGrain>(key).Start("tick", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.HoldsAsync(() => TicksOf(key).Count == 1, TimeSpan.FromSeconds(5), "the first tick fired");
        await Eventually.HoldsAsync(async () => await NextDueAsync(cluster, key, "tick") == start.AddMinutes(2), TimeSpan.FromSeconds(5), "the tick was recorded");

        // Ten minutes pass in one jump, as after an outage: the overdue tick fires once, the rest are skipped.
        clock.Jump(TimeSpan.FromMinutes(10));
        await Eventually.HoldsAsync(() => TicksOf(key).Count == 2, TimeSpan.FromSeconds(5), "the overdue tick fired");
        await Task.Delay(200);
        Assert.Equal(2, TicksOf(key).Count);

        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.HoldsAsync(() => TicksOf(key).Count == 3, TimeSpan.FromSeconds(5), "the schedule resumed");
        Assert.Equal([start.AddMinutes(1), start.AddMinutes(2), start.AddMinutes(12)], TicksOf(key).Select(t => t.TickTime));
    }

    [Fact]
    public async Task An_unregistered_reminder_stops_firing()
    {
        var clock = new ManualTimeProvider();
        await using var cluster = await SingleSilo.StartAsync(o => o.Time = clock);
        var key = $"{SingleSilo.NewTenant()}/reminder";
        var grain = cluster.Grains().GetGrain<IReminderGrain>(key);
        await grain.Start("a", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await grain.Start("b", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));
        Assert.Equal(["a", "b"], (await grain.Reminders()).Order());

        await grain.Stop("a");
        Assert.Equal(["b"], await grain.Reminders());
        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.HoldsAsync(() => TicksOf(key).Count == 1, TimeSpan.FromSeconds(5), "b fired");
        await Task.Delay(200);
        Assert.Equal(["b"], TicksOf(key).Select(t => t.Reminder));
    }

    [Fact]
    public async Task A_period_below_the_minimum_is_refused()
    {
        await using var cluster = await SingleSilo.StartAsync();
        var grain = cluster.Grains().GetGrain<IReminderGrain>($"{SingleSilo.NewTenant()}/reminder");

        var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.Start("fast", TimeSpan.Zero, TimeSpan.FromSeconds(10)));
        Assert.Contains("at least 00:01:00", refused.Message);
    }

    [Fact]
    public async Task Re_registering_a_reminder_moves_its_schedule()
    {
        var clock = new ManualTimeProvider();
        await using var cluster = await SingleSilo.StartAsync(o => o.Time = clock);
        var key = $"{SingleSilo.NewTenant()}/reminder";
        var grain = cluster.Grains().GetGrain<IReminderGrain>(key);
        var start = clock.GetUtcNow();
        await grain.Start("due", TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
        await grain.Start("due", TimeSpan.FromMinutes(3), TimeSpan.FromDays(1));

        clock.Advance(TimeSpan.FromMinutes(2));
        await Task.Delay(200);
        Assert.Empty(TicksOf(key));
        clock.Advance(TimeSpan.FromMinutes(1));
        await Eventually.HoldsAsync(() => TicksOf(key).Count == 1, TimeSpan.FromSeconds(5), "the moved reminder fired");
        Assert.Equal(start.AddMinutes(3), TicksOf(key)[0].TickTime);
    }

    [Fact]
    public async Task Reminders_and_grains_keep_grain_time_which_may_run_ahead_of_the_silo_clock()
    {
        // As in the demo: the sandbox's clock is moved a day ahead while leases and polling keep real time.
        var grainClock = new OrleansSync.Sandbox.Common.SandboxClock();
        await using var cluster = await SingleSilo.StartAsync(o => o.GrainClock = grainClock);
        var key = $"{SingleSilo.NewTenant()}/reminder";
        await cluster.Grains().GetGrain<IReminderGrain>(key).Start("tomorrow", TimeSpan.FromHours(20), TimeSpan.FromDays(1));
        await Task.Delay(1500);
        Assert.Empty(TicksOf(key));

        var tomorrow = grainClock.Advance(TimeSpan.FromDays(1));
        await Eventually.HoldsAsync(() => TicksOf(key).Count == 1, TimeSpan.FromSeconds(5), "the reminder fired in grain time");
        var grainNow = await cluster.Grains().GetGrain<IClockGrain>($"{SingleSilo.NewTenant()}/clock").Now();
        Assert.InRange(grainNow, tomorrow, tomorrow + TimeSpan.FromMinutes(1));
    }

    internal static async Task<DateTimeOffset?> NextDueAsync(TestCluster cluster, string key, string reminder)
    {
        var table = cluster.Silos[0].Services.GetRequiredService<IReminderTable>();
        return (await table.ReadAsync(new GrainId(new GrainType("reminder"), key), reminder))?.NextDue;
    }

    internal static IReadOnlyList<TickRecord> TicksOf(string key) => GrainProbe.Ticks.Where(t => t.Key == key).ToList();
}
