using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime.Inbox;
using OrleansSync.Runtime.Testing;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Runtime;

/// <summary>The durable inbox in the single-process default: dedupe, order, retries, dead letters, replay.</summary>
public sealed class InboxTests
{
    [Fact]
    public async Task Events_reach_their_grains_in_order_and_duplicates_are_dropped()
    {
        await using var cluster = await StartAsync();
        var inbox = cluster.Silos[0].Services.GetRequiredService<IInbox>();
        var tenant = SingleSilo.NewTenant();
        var grain = $"{tenant}/target";

        var first = await inbox.AppendAsync(Enumerable.Range(1, 50).Select(n => Event(tenant, grain, n)).ToList());
        var again = await inbox.AppendAsync(Enumerable.Range(40, 20).Select(n => Event(tenant, grain, n)).ToList());

        Assert.Equal(new InboxAppendResult(50, 0), first);
        Assert.Equal(new InboxAppendResult(9, 11), again);
        await Eventually.HoldsAsync(async () => (await Target(cluster, grain)).Received.Count == 59, TimeSpan.FromSeconds(10), "all 59 events arrived");
        var state = await Target(cluster, grain);
        Assert.Equal(Enumerable.Range(1, 59), state.Received);
        Assert.Equal(0, state.OutOfOrder);
    }

    [Fact]
    public async Task A_failing_event_is_retried_and_holds_up_the_events_behind_it()
    {
        await using var cluster = await StartAsync();
        var inbox = cluster.Silos[0].Services.GetRequiredService<IInbox>();
        var tenant = SingleSilo.NewTenant();
        var grain = $"{tenant}/target";

        await inbox.AppendAsync([Event(tenant, grain, 1), Event(tenant, grain, 2, failTimes: 2), Event(tenant, grain, 3)]);

        await Eventually.HoldsAsync(async () => (await Target(cluster, grain)).Received.Count == 3, TimeSpan.FromSeconds(10), "all three arrived");
        Assert.Equal([1, 2, 3], (await Target(cluster, grain)).Received);
        Assert.Equal(3, TestInboxHandler.Deliveries[$"{tenant}/test/{grain}#2"]);
    }

    [Fact]
    public async Task An_event_failing_every_attempt_is_dead_lettered_visible_and_replayable()
    {
        await using var cluster = await StartAsync();
        var services = cluster.Silos[0].Services;
        var inbox = services.GetRequiredService<IInbox>();
        var monitor = services.GetRequiredService<IInboxMonitor>();
        var tenant = SingleSilo.NewTenant();
        var (poisoned, other) = ($"{tenant}/poisoned", $"{tenant}/other");

        // Fails three times: the inbox gives up after three attempts, and the event behind it goes on.
        await inbox.AppendAsync([Event(tenant, poisoned, 1, failTimes: 3), Event(tenant, other, 1)]);
        await Eventually.HoldsAsync(async () => (await monitor.ListDeadLettersAsync(tenant, 0, 10)).Count == 1, TimeSpan.FromSeconds(10), "the event was dead-lettered");
        await Eventually.HoldsAsync(async () => (await Target(cluster, other)).Received.Count == 1, TimeSpan.FromSeconds(10), "the next event went on");
        Assert.Empty((await Target(cluster, poisoned)).Received);

        var dead = Assert.Single(await monitor.ListDeadLettersAsync(tenant, 0, 10));
        Assert.Equal(3, dead.Attempts);
        Assert.Contains("fails on purpose", dead.LastError);
        Assert.Contains(await monitor.ReadBacklogAsync(), b => b.Partition == dead.Id.Partition && b.Dead == 1);

        // Fixed (the fourth delivery succeeds): replay it.
        Assert.True(await monitor.ReplayAsync(dead.Id));
        Assert.False(await monitor.ReplayAsync(dead.Id));
        await Eventually.HoldsAsync(async () => (await Target(cluster, poisoned)).Received.Count == 1, TimeSpan.FromSeconds(10), "the replayed event was delivered");
        Assert.Equal(4, TestInboxHandler.Deliveries[$"{tenant}/test/{poisoned}#1"]);
        Assert.Empty(await monitor.ListDeadLettersAsync(tenant, 0, 10));
    }

    [Fact]
    public async Task An_append_with_a_bad_event_records_nothing()
    {
        await using var cluster = await StartAsync();
        var inbox = cluster.Silos[0].Services.GetRequiredService<IInbox>();
        var tenant = SingleSilo.NewTenant();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => inbox.AppendAsync([Event(tenant, $"{tenant}/t", 1), new InboxEvent(tenant, "test", "e2", "{not json")]));
        Assert.Contains("not JSON", error.Message);
        Assert.Equal(new InboxAppendResult(1, 0), await inbox.AppendAsync([Event(tenant, $"{tenant}/t", 1)]));
    }

    internal static InboxEvent Event(string tenant, string grain, int number, int failTimes = 0)
        => new(tenant, "test", $"{grain}#{number}", TestInboxHandler.Payload(grain, number, failTimes));

    internal static Task<InboxTargetState> Target(TestCluster cluster, string grain)
        => cluster.Silos[0].GrainFactory.GetGrain<IInboxTargetGrain>(grain).Read();

    private static Task<TestCluster> StartAsync() => SingleSilo.StartAsync(o =>
    {
        o.Configuration["Inbox:FirstRetryDelay"] = "00:00:00.050";
        o.Configuration["Inbox:MaxAttempts"] = "3";
        o.Configuration["Inbox:PollInterval"] = "00:00:00.100";
        var configure = o.ConfigureSilo!;
        o.ConfigureSilo = silo =>
        {
            configure(silo);
            silo.AddInboxHandler<TestInboxHandler>();
        };
    });
}
