using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Outbox;
using OrleansSync.Runtime.Testing;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Runtime;

/// <summary>The outbox in the single-process default: publishing, dedupe by key, retries, failures, recent events.</summary>
public sealed class OutboxTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Appended_events_are_published_to_every_subscriber_in_order_and_read_back_newest_first_or_after_an_id()
    {
        await using var cluster = await StartAsync();
        var (outbox, monitor) = Outbox(cluster);
        var tenant = SingleSilo.NewTenant();

        for (var round = 0; round < 3; round++)
            await outbox.AppendAsync(Enumerable.Range(round * 10 + 1, 10).Select(n => TestOutboxSubscriber.Message(tenant, n, topic: n % 2 == 0 ? "test.even" : "test.odd")).ToList());

        await Eventually.HoldsAsync(() => TestOutboxSubscriber.ReceivedBy(tenant).Count == 30, Patience, "all 30 events were published");
        var expectedKeys = Enumerable.Range(1, 30).Select(n => $"{tenant}/test/{n}").ToList();
        Assert.Equal(expectedKeys, TestOutboxSubscriber.ReceivedBy(tenant).Select(r => r.Event.Key));
        Assert.All(TestOutboxSubscriber.ReceivedBy(tenant), r => Assert.NotNull(r.Event.PublishedAt));

        var recent = cluster.Silos[0].Services.GetRequiredService<RecentEvents>().Snapshot().Where(e => e.TenantId == tenant).ToList();
        Assert.Equal(expectedKeys.AsEnumerable().Reverse(), recent.Select(e => e.Key));

        await Eventually.HoldsAsync(async () => (await monitor.ReadAsync(tenant, null, null, 100)).All(e => e.Status == OutboxEventStatus.Published), Patience, "all are marked published");
        var newestFirst = await monitor.ReadAsync(tenant, null, null, 100);
        Assert.Equal(expectedKeys.AsEnumerable().Reverse(), newestFirst.Select(e => e.Key));
        Assert.All(newestFirst, e => Assert.True(e.PublishedAt >= e.RecordedAt));
        var ids = newestFirst.Select(e => e.Id).Reverse().ToList();
        Assert.Equal(ids.Order(), ids);

        var afterTenth = await monitor.ReadAsync(tenant, null, afterId: ids[9], take: 5);
        Assert.Equal(expectedKeys[10..15], afterTenth.Select(e => e.Key));
        var even = await monitor.ReadAsync(tenant, "test.even", null, 100);
        Assert.Equal(15, even.Count);
        Assert.All(even, e => Assert.Equal("test.even", e.Topic));
        Assert.Empty(await monitor.ReadAsync(SingleSilo.NewTenant(), null, null, 100));

        var backlog = await monitor.ReadBacklogAsync();
        Assert.Equal(0, backlog.Pending);
        Assert.Null(backlog.OldestPendingRecordedAt);
        Assert.Equal(30, backlog.PublishedLastMinute);
    }

    [Fact]
    public async Task A_key_appended_again_is_published_once()
    {
        await using var cluster = await StartAsync();
        var (outbox, monitor) = Outbox(cluster);
        var tenant = SingleSilo.NewTenant();
        var first = TestOutboxSubscriber.Message(tenant, 1);

        await outbox.AppendAsync([first, first with { Payload = """{"number": 1, "failTimes": 0, "retried": true}""" }, TestOutboxSubscriber.Message(tenant, 2)]);
        await outbox.AppendAsync([first]);
        await outbox.AppendAsync([TestOutboxSubscriber.Message(tenant, 3)]);

        await Eventually.HoldsAsync(() => TestOutboxSubscriber.ReceivedBy(tenant).Count == 3, Patience, "three events were published");
        await Task.Delay(300); // a few more polls, in which a second copy would show up
        Assert.Equal([1, 2, 3], TestOutboxSubscriber.ReceivedBy(tenant).Select(r => int.Parse(r.Event.Key.Split('/')[^1])));
        Assert.Equal(1, TestOutboxSubscriber.Attempts[first.Key]);
        Assert.DoesNotContain("retried", TestOutboxSubscriber.ReceivedBy(tenant)[0].Event.Payload);
        Assert.Equal(3, (await monitor.ReadAsync(tenant, null, null, 100)).Count);
    }

    [Fact]
    public async Task A_failing_subscriber_is_retried_until_it_succeeds_while_the_others_get_the_event_once()
    {
        await using var cluster = await StartAsync();
        var (outbox, monitor) = Outbox(cluster);
        var tenant = SingleSilo.NewTenant();
        var flaky = TestOutboxSubscriber.Message(tenant, 1, failTimes: 2);

        await outbox.AppendAsync([flaky, TestOutboxSubscriber.Message(tenant, 2)]);

        await Eventually.HoldsAsync(() => TestOutboxSubscriber.ReceivedBy(tenant).Count == 2, Patience, "both events were published");
        // The failing event held up the one behind it: order is kept.
        Assert.Equal([flaky.Key, $"{tenant}/test/2"], TestOutboxSubscriber.ReceivedBy(tenant).Select(r => r.Event.Key));
        Assert.Equal(3, TestOutboxSubscriber.Attempts[flaky.Key]);
        Assert.Single(cluster.Silos[0].Services.GetRequiredService<RecentEvents>().Snapshot(), e => e.Key == flaky.Key);

        await Eventually.HoldsAsync(async () => (await monitor.ReadAsync(tenant, null, null, 10)).All(e => e.Status == OutboxEventStatus.Published), Patience, "both are marked published");
        var published = (await monitor.ReadAsync(tenant, null, null, 10)).Single(e => e.Key == flaky.Key);
        Assert.Equal(2, published.Attempts);
        Assert.Contains("TestOutboxSubscriber", published.LastError);
        Assert.Contains("fails on purpose", published.LastError);
    }

    [Fact]
    public async Task An_event_failing_every_attempt_is_marked_failed_stays_visible_and_the_next_goes_on()
    {
        await using var cluster = await StartAsync();
        var (outbox, monitor) = Outbox(cluster);
        var tenant = SingleSilo.NewTenant();
        var poisoned = TestOutboxSubscriber.Message(tenant, 1, failTimes: 1000);

        await outbox.AppendAsync([poisoned, TestOutboxSubscriber.Message(tenant, 2)]);

        await Eventually.HoldsAsync(() => TestOutboxSubscriber.ReceivedBy(tenant).Count == 1, Patience, "the next event went on");
        Assert.Equal($"{tenant}/test/2", TestOutboxSubscriber.ReceivedBy(tenant)[0].Event.Key);
        Assert.Equal(3, TestOutboxSubscriber.Attempts[poisoned.Key]);

        var failed = (await monitor.ReadAsync(tenant, null, null, 10)).Single(e => e.Key == poisoned.Key);
        Assert.Equal(OutboxEventStatus.Failed, failed.Status);
        Assert.Null(failed.PublishedAt);
        Assert.Equal(3, failed.Attempts);
        Assert.Contains("fails on purpose", failed.LastError);
        var backlog = await monitor.ReadBacklogAsync();
        Assert.Equal(1, backlog.Failed);
        Assert.Equal(0, backlog.Pending);
    }

    [Fact]
    public async Task An_append_with_a_bad_message_records_nothing()
    {
        await using var cluster = await StartAsync();
        var (outbox, monitor) = Outbox(cluster);
        var tenant = SingleSilo.NewTenant();
        var good = TestOutboxSubscriber.Message(tenant, 1);

        var notJson = await Assert.ThrowsAsync<ArgumentException>(() => outbox.AppendAsync([good, good with { Key = "k2", Payload = "{not json" }]));
        Assert.Contains("not JSON", notJson.Message);
        var lineBreak = await Assert.ThrowsAsync<ArgumentException>(() => outbox.AppendAsync([good with { Topic = "invoice\nstatus" }]));
        Assert.Contains("Topic", lineBreak.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.AppendAsync([good with { Key = " " }]));
        Assert.Empty(await monitor.ReadAsync(tenant, null, null, 10));

        await outbox.AppendAsync([good]);
        Assert.Single(await monitor.ReadAsync(tenant, null, null, 10));
    }

    [Fact]
    public async Task Recent_events_keep_the_latest_and_a_slow_watcher_loses_the_oldest_it_has_not_read()
    {
        var recent = new RecentEvents(Options.Create(new OutboxOptions { RecentEventsCapacity = 3 }));
        IOutboxSubscriber subscriber = recent;
        var events = Enumerable.Range(1, 5).Select(n => new PublishedEvent(n, "t", "test", $"k{n}", "{}", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)).ToList();

        await using (var watcher = recent.WatchAsync().GetAsyncEnumerator())
        {
            var first = watcher.MoveNextAsync();
            Assert.Equal(1, recent.WatcherCount);
            await subscriber.PublishAsync(events[0], CancellationToken.None);
            Assert.True(await first);
            Assert.Equal("k1", watcher.Current.Key);

            // The watcher reads nothing while four more arrive: it keeps the newest three.
            foreach (var published in events[1..])
                await subscriber.PublishAsync(published, CancellationToken.None);
            var read = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                Assert.True(await watcher.MoveNextAsync());
                read.Add(watcher.Current.Key);
            }

            Assert.Equal(["k3", "k4", "k5"], read);
        }

        Assert.Equal(0, recent.WatcherCount);
        Assert.Equal(["k5", "k4", "k3"], recent.Snapshot().Select(e => e.Key));
    }

    [Fact]
    public async Task A_watch_ends_when_its_token_is_cancelled()
    {
        var recent = new RecentEvents(Options.Create(new OutboxOptions()));
        using var cancel = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            await foreach (var _ in recent.WatchAsync(cancel.Token))
            {
            }
        });
        await Eventually.HoldsAsync(() => recent.WatcherCount == 1, Patience, "the watcher is connected");

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);
        Assert.Equal(0, recent.WatcherCount);
    }

    [Fact]
    public async Task Bad_outbox_settings_stop_the_start_with_a_clear_message()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RunningApp.StartAsync(Silo.Program.CreateApp, ["--Sandbox:Enabled=false", "--Outbox:PollInterval=00:00:00"]));
        Assert.Contains("Outbox:PollInterval", error.Message);
    }

    private static (IOutbox Outbox, IOutboxMonitor Monitor) Outbox(TestCluster cluster)
        => (cluster.Silos[0].Services.GetRequiredService<IOutbox>(), cluster.Silos[0].Services.GetRequiredService<IOutboxMonitor>());

    private static Task<TestCluster> StartAsync() => SingleSilo.StartAsync(o =>
    {
        o.Configuration["Outbox:FirstRetryDelay"] = "00:00:00.050";
        o.Configuration["Outbox:MaxAttempts"] = "3";
        o.Configuration["Outbox:PollInterval"] = "00:00:00.100";
        var configure = o.ConfigureSilo!;
        o.ConfigureSilo = silo =>
        {
            configure(silo);
            silo.AddOutboxSubscriber<TestOutboxSubscriber>();
        };
    });
}
