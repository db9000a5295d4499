using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Outbox;
using OrleansSync.Runtime.Testing;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSync.Tests.Runtime;

[Collection(PostgresCollection.Name)]
public sealed class OutboxClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Events_appended_on_any_node_are_published_exactly_once_per_subscriber_by_the_silo_owning_their_partition()
    {
        await using var cluster = await StartAsync(silos: 2);
        await cluster.WaitUntilBalancedAsync(TimeSpan.FromSeconds(30));

        // 40 tenants, 10 events each, appended in rounds through the api's client and through either silo — whether or
        // not that silo owns the tenant — with every fifth event appended again in the next round, as a retry would.
        var tenants = Enumerable.Range(0, 40).Select(_ => SingleSilo.NewTenant()).ToList();
        var unique = Enumerable.Range(1, 10).SelectMany(n => tenants.Select(t => TestOutboxSubscriber.Message(t, n))).ToList();
        var rounds = unique.Chunk(40).Select(r => r.ToList()).ToList();
        for (var i = 0; i < unique.Count; i += 5)
            rounds[Math.Min(i / 40 + 1, rounds.Count - 1)].Add(unique[i]);
        IOutbox[] writers =
        [
            cluster.ClientServices.GetRequiredService<IOutbox>(),
            cluster.Silos[0].Services.GetRequiredService<IOutbox>(),
            cluster.Silos[1].Services.GetRequiredService<IOutbox>(),
        ];
        for (var r = 0; r < rounds.Count; r++)
            await writers[r % writers.Length].AppendAsync(rounds[r]);

        await Eventually.HoldsAsync(() => tenants.All(t => TestOutboxSubscriber.ReceivedBy(t).Count >= 10), TimeSpan.FromSeconds(30), "every tenant's 10 events were published");
        var monitor = cluster.ClientServices.GetRequiredService<IOutboxMonitor>();
        await Eventually.HoldsAsync(async () => (await monitor.ReadBacklogAsync()).Pending == 0, TimeSpan.FromSeconds(10), "nothing is left pending");
        await Task.Delay(500); // a few more polls on each silo, in which a second copy would show up

        var partitioner = cluster.Silos[0].Services.GetRequiredService<TenantPartitioner>();
        foreach (var tenant in tenants)
        {
            var received = TestOutboxSubscriber.ReceivedBy(tenant);
            Assert.Equal(Enumerable.Range(1, 10).Select(n => $"{tenant}/test/{n}"), received.Select(r => r.Event.Key));
            var owner = Assert.Single(cluster.Silos, s => s.OwnedPartitions.Contains(partitioner.GetPartition(tenant)));
            Assert.All(received, r => Assert.Equal(owner.SiloId, r.SiloId));
        }

        Assert.All(unique, m => Assert.Equal(1, TestOutboxSubscriber.Attempts[m.Key]));
        var recent = cluster.Silos.Select(s => s.Services.GetRequiredService<RecentEvents>().Snapshot().Where(e => tenants.Contains(e.TenantId)).ToList()).ToList();
        Assert.All(recent, r => Assert.NotEmpty(r));
        Assert.Equal(unique.Select(m => m.Key).Order(), recent.SelectMany(r => r).Select(e => e.Key).Order());

        var recorded = await monitor.ReadAsync(null, TestOutboxSubscriber.Topic, null, 500);
        Assert.Equal(400, recorded.Count(e => tenants.Contains(e.TenantId)));
        Assert.All(recorded, e => Assert.Equal(OutboxEventStatus.Published, e.Status));
        output.WriteLine($"400 events published by {string.Join(" and ", recent.Select(r => r.Count))} events per silo");
    }

    [Fact]
    public async Task The_events_of_a_silo_that_dies_are_published_by_the_next_owner_at_least_once()
    {
        await using var cluster = await StartAsync(silos: 2);
        await cluster.WaitUntilBalancedAsync(TimeSpan.FromSeconds(30));
        var tenants = Enumerable.Range(0, 20).Select(_ => SingleSilo.NewTenant()).ToList();
        var outbox = cluster.ClientServices.GetRequiredService<IOutbox>();

        for (var n = 1; n <= 10; n++)
        {
            if (n == 5)
                await cluster.Silos[1].KillAsync();
            await outbox.AppendAsync(tenants.Select(t => TestOutboxSubscriber.Message(t, n)).ToList());
        }

        await Eventually.HoldsAsync(
            () => tenants.All(t => TestOutboxSubscriber.ReceivedBy(t).Select(r => r.Event.Key).Distinct().Count() == 10),
            TimeSpan.FromSeconds(60),
            "every event was published, those of the dead silo's partitions by their next owner");

        foreach (var tenant in tenants)
        {
            // A repeat may follow the kill; the first time each event arrived, it arrived in order.
            var firstArrivals = TestOutboxSubscriber.ReceivedBy(tenant).Select(r => r.Event.Key).Distinct();
            Assert.Equal(Enumerable.Range(1, 10).Select(n => $"{tenant}/test/{n}"), firstArrivals);
        }

        var monitor = cluster.ClientServices.GetRequiredService<IOutboxMonitor>();
        await Eventually.HoldsAsync(async () => (await monitor.ReadBacklogAsync()).Pending == 0, TimeSpan.FromSeconds(10), "nothing is left pending");
        Assert.Equal(0, (await monitor.ReadBacklogAsync()).Failed);
        var publishedBySurvivor = tenants.SelectMany(TestOutboxSubscriber.ReceivedBy).Count(r => r.SiloId == cluster.Silos[0].SiloId && r.Event.Key.EndsWith("/10", StringComparison.Ordinal));
        Assert.Equal(20, publishedBySurvivor);
    }

    private async Task<TestCluster> StartAsync(int silos) => await PostgresCluster.StartAsync(await PostgresServer.CreateDatabaseAsync(), silos, o =>
    {
        o.LoggerProvider = new TestOutputLoggerProvider(output);
        o.Configuration["Outbox:PollInterval"] = "00:00:00.100";
        var configure = o.ConfigureSilo!;
        o.ConfigureSilo = silo =>
        {
            configure(silo);
            silo.AddOutboxSubscriber<TestOutboxSubscriber>();
        };
    });
}
