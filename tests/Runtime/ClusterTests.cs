using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Testing;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSync.Tests.Runtime;

/// <summary>Several silos over one PostgreSQL database: placement, cross-silo calls, failover, fencing.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BalanceTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Three_silos_share_the_partitions_evenly_and_report_it()
    {
        await using var cluster = await StartAsync(silos: 3);
        await cluster.WaitUntilBalancedAsync(BalanceTimeout);

        var status = await cluster.ClientServices.GetRequiredService<IClusterStatus>().ReadSilosAsync();
        Assert.Equal(3, status.Count(s => s.Status == SiloStatus.Active));
        Assert.Equal(256, status.Sum(s => s.PartitionsOwned));
        Assert.All(status, s => Assert.InRange(s.PartitionsOwned, 84, 86));
        Assert.Equal(cluster.Silos.Select(s => s.Address.ToString()).Order(), status.Select(s => s.Address.ToString()).Order());
    }

    [Fact]
    public async Task The_client_reaches_grains_on_every_silo_and_gets_their_exceptions()
    {
        await using var cluster = await StartAsync(silos: 3);
        await cluster.WaitUntilBalancedAsync(BalanceTimeout);

        var keys = Enumerable.Range(0, 60).Select(i => $"{SingleSilo.NewTenant()}/counter").ToList();
        await Task.WhenAll(keys.Select((key, i) => cluster.Client.GetGrain<ICounterGrain>(key).Add(i)));
        Assert.Equal(Enumerable.Range(0, 60), await Task.WhenAll(keys.Select(key => cluster.Client.GetGrain<ICounterGrain>(key).Get())));
        Assert.All(cluster.Silos, silo => Assert.True(silo.ActivationCount > 0, $"silo {silo.SiloId} hosts none of the grains"));

        // Results, overloads, inherited methods and exceptions all cross the wire.
        var tenant = SingleSilo.NewTenant();
        Assert.Equal(12, await cluster.Client.GetGrain<ICounterGrain>($"{tenant}/c").Add(3, times: 4));
        Assert.Equal($"Hello Bo from {tenant}/g", await cluster.Client.GetGrain<IGreeterGrain>($"{tenant}/g").Hello("Bo"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.Client.GetGrain<ITurnGrain>($"{tenant}/t").Fail("from afar"));
        Assert.Equal("from afar", error.Message);
        RequestContext.Set("cause", "operator call");
        Assert.Equal("operator call", await cluster.Client.GetGrain<ITurnGrain>($"{tenant}/t").ReadContext("cause"));
        RequestContext.Set("cause", null);

        // A silo calling a grain another silo owns goes there too.
        var farKey = Enumerable.Range(0, 100).Select(i => $"{SingleSilo.NewTenant()}/counter").First(k => !cluster.Silos[0].OwnedPartitions.Contains(PartitionOf(cluster, k)));
        Assert.Equal(5, await cluster.Silos[0].GrainFactory.GetGrain<ICounterGrain>(farKey).Add(5));
        Assert.Equal(5, await cluster.Client.GetGrain<ICounterGrain>(farKey).Get());
    }

    [Fact]
    public async Task After_a_silo_dies_every_grain_answers_within_ten_seconds_with_its_state()
    {
        await using var cluster = await StartAsync(silos: 3);
        await cluster.WaitUntilBalancedAsync(BalanceTimeout);

        var tenants = Enumerable.Range(0, 50).Select(_ => SingleSilo.NewTenant()).ToList();
        var keys = Enumerable.Range(0, 1000).Select(i => $"{tenants[i % 50]}/counter/{i}").ToList();
        await ForEachAsync(keys, (key, i) => cluster.Client.GetGrain<ICounterGrain>(key).Add(i + 1));
        var victim = cluster.Silos[1];
        var victimPartitions = victim.OwnedPartitions.ToHashSet();
        var onVictim = keys.Count(k => victimPartitions.Contains(PartitionOf(cluster, k)));
        Assert.True(onVictim > 100, $"only {onVictim} grains live on the silo to be killed");

        await victim.KillAsync();
        var clock = Stopwatch.StartNew();
        var answeredAfter = new TimeSpan[keys.Count];
        var values = new int[keys.Count];
        await ForEachAsync(keys, async (key, i) =>
        {
            values[i] = await cluster.Client.GetGrain<ICounterGrain>(key).Get();
            answeredAfter[i] = clock.Elapsed;
        });

        output.WriteLine($"{onVictim} grains were on the killed silo; the last answer came {answeredAfter.Max().TotalSeconds:F1} s after the kill");
        Assert.Equal(Enumerable.Range(1, 1000), values);
        Assert.True(answeredAfter.Max() < TimeSpan.FromSeconds(10), $"the slowest grain answered after {answeredAfter.Max()}");
        Assert.Empty(victimPartitions.Except(cluster.RunningSilos.SelectMany(s => s.OwnedPartitions)));
    }

    [Fact]
    public async Task A_paused_silo_resumed_after_losing_its_leases_cannot_write()
    {
        await using var cluster = await StartAsync(silos: 3);
        await cluster.WaitUntilBalancedAsync(BalanceTimeout);
        var paused = cluster.Silos[0];
        var key = Enumerable.Range(0, 200).Select(i => $"{SingleSilo.NewTenant()}/writer").First(k => paused.OwnedPartitions.Contains(PartitionOf(cluster, k)));
        var partition = PartitionOf(cluster, key);

        var onPausedSilo = paused.GrainFactory.GetGrain<IGatedWriterGrain>(key);
        await onPausedSilo.Write(1);
        var gate = Guid.NewGuid().ToString();
        var lateWrite = onPausedSilo.WriteAfterGate(2, gate);
        await Eventually.HoldsAsync(() => GrainProbe.EventsOf(gate).Contains("waiting"), TimeSpan.FromSeconds(5), "the write waits at the gate");

        paused.Pause();
        await Eventually.HoldsAsync(() => cluster.Silos.Skip(1).Any(s => s.OwnedPartitions.Contains(partition)), TimeSpan.FromSeconds(15), "another silo took the partition");
        var newOwner = cluster.Silos.Skip(1).Single(s => s.OwnedPartitions.Contains(partition));
        Assert.Equal(1, await newOwner.GrainFactory.GetGrain<IGatedWriterGrain>(key).Read());

        paused.Resume();
        GrainProbe.Open(gate);
        await Assert.ThrowsAsync<PartitionLeaseLostException>(() => lateWrite);
        Assert.Equal(1, await newOwner.GrainFactory.GetGrain<IGatedWriterGrain>(key).Read());

        // Once it notices, the resumed silo lets go of the partition and its grains there.
        await Eventually.HoldsAsync(() => !paused.OwnedPartitions.Contains(partition), TimeSpan.FromSeconds(10), "the resumed silo gave the partition up");
        await newOwner.GrainFactory.GetGrain<IGatedWriterGrain>(key).Write(3);
        Assert.Equal(3, await cluster.Client.GetGrain<IGatedWriterGrain>(key).Read());
    }

    [Fact]
    public async Task A_silo_stopping_cleanly_hands_its_partitions_over_at_once()
    {
        await using var cluster = await StartAsync(silos: 3);
        await cluster.WaitUntilBalancedAsync(BalanceTimeout);
        var leaving = cluster.Silos[2];
        var handedOver = leaving.OwnedPartitions.ToList();

        var clock = Stopwatch.StartNew();
        await leaving.StopAsync();
        await Eventually.HoldsAsync(() => !handedOver.Except(cluster.RunningSilos.SelectMany(s => s.OwnedPartitions)).Any(), TimeSpan.FromSeconds(10), "the survivors took every partition");

        // Well before the six seconds a lease would take to expire.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"the hand-over took {clock.Elapsed}");
        var status = await cluster.ClientServices.GetRequiredService<IClusterStatus>().ReadSilosAsync();
        Assert.Equal(SiloStatus.Stopped, status.Single(s => s.SiloId == leaving.SiloId).Status);
    }

    [Fact]
    public async Task A_joining_silo_gets_its_share()
    {
        await using var cluster = await StartAsync(silos: 2);
        await cluster.WaitUntilBalancedAsync(BalanceTimeout);
        var keys = Enumerable.Range(0, 100).Select(i => $"{SingleSilo.NewTenant()}/counter").ToList();
        await ForEachAsync(keys, (key, i) => cluster.Client.GetGrain<ICounterGrain>(key).Add(i));

        var joined = await cluster.StartSiloAsync();
        await cluster.WaitUntilBalancedAsync(BalanceTimeout);

        Assert.InRange(joined.OwnedPartitions.Count, 84, 86);
        Assert.Equal(Enumerable.Range(0, 100), await Task.WhenAll(keys.Select(key => cluster.Client.GetGrain<ICounterGrain>(key).Get())));
    }

    private async Task<TestCluster> StartAsync(int silos)
        => await PostgresCluster.StartAsync(await PostgresServer.CreateDatabaseAsync(), silos, o => o.LoggerProvider = new TestOutputLoggerProvider(output));

    internal static int PartitionOf(TestCluster cluster, string key)
        => cluster.Silos[0].Services.GetRequiredService<TenantPartitioner>().GetPartitionOfKey(key);

    /// <summary>Runs the calls 32 at a time, as a busy front-end would.</summary>
    internal static Task ForEachAsync(IReadOnlyList<string> keys, Func<string, int, Task> call)
        => Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) => await call(keys[i], i));
}
