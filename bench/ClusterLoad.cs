using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Inbox;
using OrleansSync.Runtime.Testing;

namespace OrleansSync.Bench;

/// <summary>
/// Throughput of what crosses a network or touches the disk, measured on a durable PostgreSQL (every commit flushed,
/// PostgreSQL's defaults) with two silos and a cluster client in this process, all on loopback: calls from the client
/// to grains on the silos, PostgreSQL state writes, and inbox appends. Each measurement runs a fixed number of callers
/// in a loop: a warm-up, then a timed window.
/// </summary>
internal static class ClusterLoad
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(string[] args)
    {
        var duration = TimeSpan.FromSeconds(args.Length > 0 && int.TryParse(args[0], out var seconds) ? seconds : 10);
        Console.WriteLine($"Starting a durable PostgreSQL and two silos; each measurement: {Warmup.TotalSeconds:F0} s warm-up, {duration.TotalSeconds:F0} s timed.");

        await using var postgres = await ThrowawayPostgres.StartAsync(durable: true);
        var database = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync()) { MaxPoolSize = 100 }.ConnectionString;
        await using var cluster = await TestCluster.StartAsync(new TestClusterOptions
        {
            ConnectionString = database,
            InitialSilos = 2,
            ConfigureSilo = silo => silo.AddGrain<BenchGrain>().AddGrain<BenchStateGrain>(),
        });
        await cluster.WaitUntilBalancedAsync(TimeSpan.FromSeconds(60));

        var keys = Enumerable.Range(0, 1000).Select(i => $"tenant{i % 50}/bench/{i}").ToArray();
        var viaClient = keys.Select(k => cluster.Client.GetGrain<IBenchGrain>(k)).ToArray();
        await Task.WhenAll(viaClient.Select(g => g.Ping()));

        // A silo calling grains that live on the other silo.
        var first = cluster.Silos[0];
        var partitioner = first.Services.GetRequiredService<TenantPartitioner>();
        var remoteFromFirst = keys.Where(k => !first.OwnedPartitions.Contains(partitioner.GetPartitionOfKey(k)))
            .Select(k => first.GrainFactory.GetGrain<IBenchGrain>(k)).ToArray();

        // State writes, each made on the silo that owns the grain.
        var writers = keys.Select(k => cluster.Silos.First(s => s.OwnedPartitions.Contains(partitioner.GetPartitionOfKey(k))).GrainFactory.GetGrain<IBenchStateGrain>(k)).ToArray();
        await Task.WhenAll(writers.Select((w, i) => w.Write(i)));

        var inbox = cluster.ClientServices.GetRequiredService<IInbox>();
        var results = new List<LoadResult>
        {
            await MeasureAsync("Cluster client → grain on a silo (HTTP, JSON)", 64, duration, (worker, i) => viaClient[Pick(worker, i, viaClient.Length)].Increment()),
            await MeasureAsync("Silo → grain on the other silo (HTTP, JSON)", 64, duration, (worker, i) => remoteFromFirst[Pick(worker, i, remoteFromFirst.Length)].Increment()),
            await MeasureAsync("Grain state write to PostgreSQL (one write per call)", 64, duration, (worker, i) => writers[Pick(worker, i, writers.Length)].Write((int)i)),
            await MeasureAsync("Inbox append, one event per append", 64, duration, (worker, i) => inbox.AppendAsync([Event(worker, i)])),
            await MeasureAsync("Inbox append, 100 events per append", 8, duration, (worker, i) => inbox.AppendAsync(Enumerable.Range(0, 100).Select(n => Event(worker, (i * 100) + n)).ToList()), operationsPerCall: 100),
        };

        Console.WriteLine();
        Console.WriteLine("| Measurement | Callers | Operations/s | p50 ms | p99 ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var result in results)
            Console.WriteLine($"| {result.Name} | {result.Concurrency} | {result.PerSecond:N0} | {result.P50Milliseconds:F2} | {result.P99Milliseconds:F2} |");
    }

    private static readonly string RunId = Guid.NewGuid().ToString("N")[..8];

    private static InboxEvent Event(int worker, long sequence)
        => new($"tenant{(worker + sequence) % 50}", "bench", $"{RunId}-{worker}-{sequence}", $$"""{"eventId":"{{RunId}}-{{worker}}-{{sequence}}","entity":"Invoice","operation":"Update"}""");

    private static int Pick(int worker, long iteration, int count) => (int)(((worker * 7919L) + iteration) % count);

    private static async Task<LoadResult> MeasureAsync(string name, int concurrency, TimeSpan duration, Func<int, long, Task> operation, int operationsPerCall = 1)
    {
        var latencies = Enumerable.Range(0, concurrency).Select(_ => new List<double>(100_000)).ToArray();
        var measuring = false;
        var stopping = false;
        long calls = 0;

        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            for (long i = 0; !Volatile.Read(ref stopping); i++)
            {
                var started = Stopwatch.GetTimestamp();
                await operation(worker, i);
                if (!Volatile.Read(ref measuring))
                    continue;
                latencies[worker].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref calls);
            }
        })).ToArray();

        await Task.Delay(Warmup);
        Volatile.Write(ref measuring, true);
        var clock = Stopwatch.StartNew();
        await Task.Delay(duration);
        Volatile.Write(ref measuring, false);
        var elapsed = clock.Elapsed;
        Volatile.Write(ref stopping, true);
        await Task.WhenAll(workers);

        var all = latencies.SelectMany(l => l).Order().ToArray();
        var result = new LoadResult(name, concurrency, calls * operationsPerCall / elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99));
        Console.WriteLine($"{name}: {result.PerSecond:N0}/s, p50 {result.P50Milliseconds:F2} ms, p99 {result.P99Milliseconds:F2} ms");
        return result;
    }

    private static double Percentile(double[] sorted, double quantile) => sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(quantile * sorted.Length) - 1)];

    private sealed record LoadResult(string Name, int Concurrency, double PerSecond, double P50Milliseconds, double P99Milliseconds);
}
