using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansSync.Runtime.Outbox;
using OrleansSync.Runtime.Postgres;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Runtime;

/// <summary>
/// What every outbox store promises — one event per key, ids in append order, pending events per partition in order,
/// publication and failure recorded, retention — run against memory here and against PostgreSQL below.
/// </summary>
public abstract class OutboxStoreContract
{
    protected ManualTimeProvider Time { get; } = new();

    private protected abstract Task<IOutboxStore> CreateStoreAsync();

    [Fact]
    public async Task A_key_already_recorded_is_dropped_and_ids_follow_the_order_of_appends()
    {
        var store = await CreateStoreAsync();

        var first = await store.AppendAsync([Message("t1", "a", 1), Message("t1", "b", 1), Message("t1", "a", 1)], Time.GetUtcNow(), default);
        var second = await store.AppendAsync([Message("t1", "b", 1), Message("t2", "c", 2)], Time.GetUtcNow(), default);

        Assert.Equal([true, true, false], first);
        Assert.Equal([false, true], second);

        var newestFirst = await store.ReadAsync(null, null, null, 10);
        Assert.Equal(["c", "b", "a"], newestFirst.Select(e => e.Key));
        Assert.True(newestFirst[0].Id > newestFirst[1].Id && newestFirst[1].Id > newestFirst[2].Id);
        Assert.All(newestFirst, e => Assert.Equal((OutboxEventStatus.Pending, null, 0), (e.Status, e.PublishedAt, e.Attempts)));
        Assert.Equal(Time.GetUtcNow(), newestFirst[0].RecordedAt);
    }

    [Fact]
    public async Task Pending_events_are_read_per_partition_in_id_order_until_published_or_failed()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync([Message("t1", "a", 1), Message("t2", "x", 2), Message("t1", "b", 1), Message("t1", "c", 1)], Time.GetUtcNow(), default);

        Assert.Equal([1, 2], (await store.PartitionsWithPendingAsync([0, 1, 2, 3], default)).Order());
        var pending = await store.ReadPendingAsync(1, 10, default);
        Assert.Equal(["a", "b", "c"], pending.Select(p => p.Event.Key));
        Assert.All(pending, p => Assert.Equal(1, p.Partition));
        Assert.Equal(["a", "b"], (await store.ReadPendingAsync(1, 2, default)).Select(p => p.Event.Key));

        var (a, b, c) = (pending[0].Event, pending[1].Event, pending[2].Event);
        var now = Time.GetUtcNow();
        await store.MarkPublishedAsync([new PublishedMark(a.Id, now)]);
        await store.MarkFailedAsync(b.Id, 1, "Subscriber: boom", now.AddSeconds(5), now);
        await store.MarkFailedAsync(c.Id, 3, "Subscriber: boom for good", retryAt: null, now);

        var retry = Assert.Single(await store.ReadPendingAsync(1, 10, default));
        Assert.Equal((b.Id, 1, "Subscriber: boom", now.AddSeconds(5)), (retry.Event.Id, retry.Event.Attempts, retry.Event.LastError, retry.NextAttemptAt));
        await store.MarkPublishedAsync([new PublishedMark(b.Id, now.AddSeconds(6))]);
        Assert.Empty(await store.ReadPendingAsync(1, 10, default));
        Assert.Equal([2], await store.PartitionsWithPendingAsync([0, 1, 2, 3], default));

        var events = (await store.ReadAsync("t1", null, null, 10)).ToDictionary(e => e.Key);
        Assert.Equal((OutboxEventStatus.Published, now), (events["a"].Status, events["a"].PublishedAt));
        Assert.Equal((OutboxEventStatus.Published, now.AddSeconds(6), 1), (events["b"].Status, events["b"].PublishedAt, events["b"].Attempts));
        Assert.Equal((OutboxEventStatus.Failed, null, 3, "Subscriber: boom for good"), (events["c"].Status, events["c"].PublishedAt, events["c"].Attempts, events["c"].LastError));

        // A late mark, from a silo that lost the partition meanwhile, changes nothing.
        await store.MarkPublishedAsync([new PublishedMark(c.Id, now.AddSeconds(9)), new PublishedMark(a.Id, now.AddSeconds(9))]);
        events = (await store.ReadAsync("t1", null, null, 10)).ToDictionary(e => e.Key);
        Assert.Equal(OutboxEventStatus.Failed, events["c"].Status);
        Assert.Equal(now, events["a"].PublishedAt);
    }

    [Fact]
    public async Task Reads_filter_by_tenant_and_topic_newest_first_or_oldest_first_after_an_id()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(
            Enumerable.Range(1, 12).Select(n => Message(n % 2 == 0 ? "t1" : "t2", $"k{n}", 1, topic: n % 3 == 0 ? "invoice.paid" : "invoice.status")).ToList(),
            Time.GetUtcNow(),
            default);

        var t1 = await store.ReadAsync("t1", null, null, 10);
        Assert.Equal(["k12", "k10", "k8", "k6", "k4", "k2"], t1.Select(e => e.Key));
        Assert.Equal(["k12", "k6"], (await store.ReadAsync("t1", "invoice.paid", null, 10)).Select(e => e.Key));
        Assert.Equal(["k12", "k9", "k6", "k3"], (await store.ReadAsync(null, "invoice.paid", null, 10)).Select(e => e.Key));
        Assert.Equal(["k12", "k11"], (await store.ReadAsync(null, null, null, 2)).Select(e => e.Key));

        var all = await store.ReadAsync(null, null, null, 20);
        var k4 = all.Single(e => e.Key == "k4").Id;
        Assert.Equal(["k6", "k8"], (await store.ReadAsync("t1", null, k4, 2)).Select(e => e.Key));
        Assert.Equal(["k5", "k6", "k7"], (await store.ReadAsync(null, null, k4, 3)).Select(e => e.Key));
        Assert.Empty(await store.ReadAsync(null, null, all[0].Id, 3));
        Assert.Empty(await store.ReadAsync("t3", null, null, 3));
    }

    [Fact]
    public async Task Purge_removes_published_and_failed_events_past_retention_only()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync([Message("t1", "old-published", 1), Message("t1", "old-failed", 1), Message("t1", "new-published", 1), Message("t1", "pending", 1)], Time.GetUtcNow(), default);
        var ids = (await store.ReadPendingAsync(1, 10, default)).ToDictionary(p => p.Event.Key, p => p.Event.Id);
        await store.MarkPublishedAsync([new PublishedMark(ids["old-published"], Time.GetUtcNow())]);
        await store.MarkFailedAsync(ids["old-failed"], 5, "gave up", retryAt: null, Time.GetUtcNow());
        Time.Advance(TimeSpan.FromDays(2));
        await store.MarkPublishedAsync([new PublishedMark(ids["new-published"], Time.GetUtcNow())]);

        Assert.Equal(2, await store.PurgeAsync(Time.GetUtcNow() - TimeSpan.FromDays(1), default));

        Assert.Equal(["pending", "new-published"], (await store.ReadAsync(null, null, null, 10)).Select(e => e.Key));
        Assert.Equal(0, await store.PurgeAsync(Time.GetUtcNow() - TimeSpan.FromDays(1), default));
    }

    [Fact]
    public async Task The_backlog_counts_pending_events_those_published_in_the_last_minute_and_failed_ones()
    {
        var store = await CreateStoreAsync();
        Assert.Equal(new OutboxBacklog(0, null, 0, 0), await store.ReadBacklogAsync());

        var firstRecorded = Time.GetUtcNow();
        await store.AppendAsync([Message("t1", "a", 1), Message("t1", "b", 1)], firstRecorded, default);
        Time.Advance(TimeSpan.FromMinutes(3));
        await store.AppendAsync([Message("t1", "c", 1), Message("t1", "d", 1), Message("t1", "e", 1)], Time.GetUtcNow(), default);
        var ids = (await store.ReadPendingAsync(1, 10, default)).ToDictionary(p => p.Event.Key, p => p.Event.Id);
        await store.MarkPublishedAsync([new PublishedMark(ids["a"], Time.GetUtcNow() - TimeSpan.FromMinutes(2)), new PublishedMark(ids["c"], Time.GetUtcNow() - TimeSpan.FromSeconds(30))]);
        await store.MarkFailedAsync(ids["d"], 5, "gave up", retryAt: null, Time.GetUtcNow());

        Assert.Equal(new OutboxBacklog(Pending: 2, OldestPendingRecordedAt: firstRecorded, PublishedLastMinute: 1, Failed: 1), await store.ReadBacklogAsync());
    }

    /// <summary>A message whose tenant is in <paramref name="partition"/> (the store takes the partition as given).</summary>
    private static PartitionedMessage Message(string tenant, string key, int partition, string topic = "invoice.status")
        => new(new OutboxMessage(tenant, topic, key, """{"n": 1}"""), partition);
}

public sealed class InMemoryOutboxStoreTests : OutboxStoreContract
{
    private protected override Task<IOutboxStore> CreateStoreAsync() => Task.FromResult<IOutboxStore>(new InMemoryOutboxStore(Time));
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresOutboxStoreTests : OutboxStoreContract, IAsyncLifetime
{
    private NpgsqlDataSource? _dataSource;

    private protected override async Task<IOutboxStore> CreateStoreAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await PostgresServer.CreateDatabaseAsync());
        await new PostgresMigrator(_dataSource, NullLogger<PostgresMigrator>.Instance).MigrateAsync(default);
        return new PostgresOutboxStore(_dataSource, Time);
    }

    [Fact]
    public async Task Appends_racing_each_other_become_visible_in_id_order()
    {
        var store = await CreateStoreAsync();

        // A reader follows the outbox by id while twenty writers append at once: it must never see an id after a
        // smaller one that was still committing.
        var seen = new List<long>();
        using var done = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            long after = 0;
            while (true)
            {
                var last = done.IsCancellationRequested; // then every append has committed: this pass reads to the end
                IReadOnlyList<PublishedEvent> page;
                do
                {
                    page = await store.ReadAsync(null, null, after, 50);
                    foreach (var published in page)
                    {
                        seen.Add(published.Id);
                        after = published.Id;
                    }
                }
                while (page.Count > 0);

                if (last)
                    return;
            }
        });
        await Task.WhenAll(Enumerable.Range(0, 20).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
                await store.AppendAsync([new PartitionedMessage(new OutboxMessage($"t{w}", "test", $"w{w}/{i}", "{}"), w)], Time.GetUtcNow(), default);
        })));
        await done.CancelAsync();
        await reader.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(200, seen.Count);
        Assert.Equal((await store.ReadAsync(null, null, null, 500)).Select(e => e.Id).Order(), seen);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
            await _dataSource.DisposeAsync();
    }
}
