using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime.Inbox;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSync.Tests.Runtime;

[Collection(PostgresCollection.Name)]
public sealed class InboxClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ten_thousand_events_with_ten_percent_duplicates_reach_their_grains_once_each_in_order_while_a_silo_dies()
    {
        await using var cluster = await PostgresCluster.StartAsync(await PostgresServer.CreateDatabaseAsync(), silos: 3, o =>
        {
            o.LoggerProvider = new TestOutputLoggerProvider(output);
            var configure = o.ConfigureSilo!;
            o.ConfigureSilo = silo =>
            {
                configure(silo);
                silo.AddInboxHandler<TestInboxHandler>();
            };
        });
        await cluster.WaitUntilBalancedAsync(TimeSpan.FromSeconds(30));

        // 100 grains of 50 tenants, 90 numbered events each, sent round by round; every ninth event is sent again in
        // the next batch, as a provider retrying would.
        var tenants = Enumerable.Range(0, 50).Select(_ => SingleSilo.NewTenant()).ToList();
        var grains = Enumerable.Range(0, 100).Select(i => (Tenant: tenants[i % 50], Key: $"{tenants[i % 50]}/target/{i}")).ToList();
        var unique = Enumerable.Range(1, 90).SelectMany(n => grains.Select(g => InboxTests.Event(g.Tenant, g.Key, n))).ToList();
        var batches = unique.Chunk(100).Select(b => b.ToList()).ToList();
        for (var i = 0; i < unique.Count; i += 9)
            batches[Math.Min(i / 100 + 1, batches.Count - 1)].Add(unique[i]);
        Assert.Equal(10_000, batches.Sum(b => b.Count));

        var inbox = cluster.ClientServices.GetRequiredService<IInbox>();
        var (accepted, duplicates) = (0, 0);
        for (var b = 0; b < batches.Count; b++)
        {
            if (b == batches.Count / 2)
                await cluster.Silos[1].KillAsync();
            var result = await inbox.AppendAsync(batches[b]);
            accepted += result.Accepted;
            duplicates += result.Duplicates;
        }

        Assert.Equal(9_000, accepted);
        Assert.Equal(1_000, duplicates);
        await Eventually.HoldsAsync(
            async () => (await Task.WhenAll(grains.Select(g => cluster.Client.GetGrain<IInboxTargetGrain>(g.Key).Read()))).All(s => s.Received.Count == 90),
            TimeSpan.FromSeconds(60),
            "every grain received its 90 events");

        foreach (var (_, key) in grains)
        {
            var state = await cluster.Client.GetGrain<IInboxTargetGrain>(key).Read();
            Assert.Equal(Enumerable.Range(1, 90), state.Received);
            Assert.Equal(0, state.OutOfOrder);
        }

        var deliveries = grains.Sum(g => Enumerable.Range(1, 90).Sum(n => TestInboxHandler.Deliveries.GetValueOrDefault($"{g.Tenant}/test/{g.Key}#{n}")));
        output.WriteLine($"9,000 events, {deliveries} deliveries: {deliveries - 9000} repeated after the kill, none applied twice");
        Assert.True(deliveries >= 9_000);
        Assert.Empty(await cluster.ClientServices.GetRequiredService<IInboxMonitor>().ListDeadLettersAsync(null, 0, 10));
    }
}
