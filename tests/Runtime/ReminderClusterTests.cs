using OrleansSync.Runtime.Testing;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSync.Tests.Runtime;

/// <summary>Durable reminders over PostgreSQL, with one-second periods so that a long run takes seconds.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReminderClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Across_three_silos_every_tick_fires_exactly_once()
    {
        await using var cluster = await StartAsync(await PostgresServer.CreateDatabaseAsync(), silos: 3);
        await cluster.WaitUntilBalancedAsync(TimeSpan.FromSeconds(30));
        var keys = Enumerable.Range(0, 30).Select(_ => $"{SingleSilo.NewTenant()}/reminder").ToList();
        await Task.WhenAll(keys.Select(k => cluster.Client.GetGrain<IReminderGrain>(k).Start("tick", Second, Second)));

        await Task.Delay(TimeSpan.FromSeconds(12));
        await Task.WhenAll(keys.Select(k => cluster.Client.GetGrain<IReminderGrain>(k).Stop("tick")));
        await Task.Delay(TimeSpan.FromSeconds(1));

        foreach (var key in keys)
        {
            var ticks = ReminderTests.TicksOf(key).Select(t => t.TickTime).ToList();
            Assert.True(ticks.Count >= 10, $"{key} ticked only {ticks.Count} times in 12 s");
            Assert.Equal(ticks.Count, ticks.Distinct().Count());
            // None repeated and all on the schedule: each tick a whole number of periods after the one before — one,
            // unless the machine was so busy that a tick came more than a period late and the missed one fired once.
            Assert.All(ticks.Zip(ticks.Skip(1)), pair => Assert.True(
                pair.Second - pair.First >= Second && (pair.Second - pair.First).Ticks % Second.Ticks == 0,
                $"{key}: ticks at {pair.First:O} and {pair.Second:O}"));
            Assert.True(ticks.Zip(ticks.Skip(1)).Count(pair => pair.Second - pair.First > Second) <= 1, $"{key} skipped more than one tick");
        }

        output.WriteLine($"{keys.Sum(k => ReminderTests.TicksOf(k).Count)} ticks of 30 reminders, none twice");
    }

    [Fact]
    public async Task No_tick_fires_twice_while_a_silo_leaves_and_its_partitions_move()
    {
        await using var cluster = await StartAsync(await PostgresServer.CreateDatabaseAsync(), silos: 3);
        await cluster.WaitUntilBalancedAsync(TimeSpan.FromSeconds(30));
        var keys = Enumerable.Range(0, 30).Select(_ => $"{SingleSilo.NewTenant()}/reminder").ToList();
        await Task.WhenAll(keys.Select(k => cluster.Client.GetGrain<IReminderGrain>(k).Start("tick", Second, Second)));

        await Task.Delay(TimeSpan.FromSeconds(4));
        await cluster.Silos[2].StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(6));
        await Task.WhenAll(keys.Select(k => cluster.Client.GetGrain<IReminderGrain>(k).Stop("tick")));
        await Task.Delay(TimeSpan.FromSeconds(1));

        foreach (var key in keys)
        {
            var ticks = ReminderTests.TicksOf(key).Select(t => t.TickTime).ToList();
            Assert.True(ticks.Count >= 6, $"{key} ticked only {ticks.Count} times in 10 s");
            Assert.Equal(ticks.Count, ticks.Distinct().Count());
            Assert.All(ticks.Zip(ticks.Skip(1)), pair => Assert.True(pair.Second > pair.First));
        }
    }

    [Fact]
    public async Task Reminders_survive_a_restart_of_the_whole_cluster()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var key = $"{SingleSilo.NewTenant()}/reminder";
        await using (var before = await StartAsync(database, silos: 1))
            await before.Client.GetGrain<IReminderGrain>(key).Start("survivor", TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(10));
        Assert.Empty(ReminderTests.TicksOf(key));

        // Nobody calls the grain: the reminder alone activates it on the new cluster.
        await using var after = await StartAsync(database, silos: 1);
        await Eventually.HoldsAsync(() => ReminderTests.TicksOf(key).Count == 1, TimeSpan.FromSeconds(10), "the reminder fired after the restart");
        Assert.Equal(["survivor"], await after.Client.GetGrain<IReminderGrain>(key).Reminders());
    }

    private Task<TestCluster> StartAsync(string database, int silos) => PostgresCluster.StartAsync(database, silos, o =>
    {
        o.Configuration["Reminders:MinimumPeriod"] = "00:00:01";
        o.Configuration["Reminders:PollInterval"] = "00:00:00.100";
        o.LoggerProvider = new TestOutputLoggerProvider(output);
    });
}
