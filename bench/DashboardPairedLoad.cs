using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime.Metrics;
using OrleansSync.Runtime.Testing;

namespace OrleansSync.Bench;

/// <summary>
/// What an open dashboard costs the in-silo grain calls, measured in pairs (<c>-- dashboard-paired</c>): on one silo
/// that serves the dashboard, round after round, the same calls for the same time with the dashboard closed and then
/// open (or open, then closed: the order alternates), so that each round compares two blocks a few seconds apart.
/// </summary>
/// <remarks>
/// <see cref="DashboardOpenBenchmarks"/> measures the two cases minutes apart, and on a shared virtual machine the
/// machine's own speed drifts more than that in minutes (closed-dashboard figures of 40 and 55 ns in one hour). Here a
/// round's two blocks are seconds apart, each long enough (2 s unless <c>--block-ms</c> says otherwise) to take in a
/// poll of the watcher, and the loss is the median of the rounds' losses, given with a 95% confidence interval (30
/// rounds unless a number says otherwise). "Closed" waits until the silo's collection has switched itself off (a watch
/// window of 1 s here instead of 60); "open" is a <see cref="DashboardWatcher"/> polling as the page does, after 1.2 s
/// for the activations' shares of the observed calls to be set. With <c>--no-http</c>, "open" is the watch touched
/// four times a second with nobody polling: what the watched calls cost by themselves. With <c>--closed-twice</c>, the
/// "open" block is closed too: the harness measuring its own bias.
/// </remarks>
internal static class DashboardPairedLoad
{
    private const int CallsPerBatch = 20_000;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1.2);

    public static async Task RunAsync(string[] args)
    {
        var rounds = args.FirstOrDefault(a => int.TryParse(a, out _)) is { } given ? int.Parse(given, CultureInfo.InvariantCulture) : 30;
        var block = TimeSpan.FromMilliseconds(args.SkipWhile(a => a != "--block-ms").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(2000));
        var withoutHttp = args.Contains("--no-http");
        var closedTwice = args.Contains("--closed-twice");
        Console.WriteLine($"One silo serving the dashboard; {rounds} rounds of a {block.TotalSeconds:0.##} s block closed and a {block.TotalSeconds:0.##} s block open, per caller count.");
        if (withoutHttp)
            Console.WriteLine("Open without HTTP: the silo's watch is touched four times a second, nobody polls, to show the calls' own cost.");
        if (closedTwice)
            Console.WriteLine("Closed twice: the \"open\" block is closed too, after the same pause, to show the harness's own bias and noise.");

        var options = new TestClusterOptions
        {
            InitialSilos = 1,
            ConfigureSilo = silo => silo.AddGrain<BenchGrain>(),
            ConfigureServices = services => services.PostConfigure<DashboardWatchOptions>(o => o.WatchWindow = TimeSpan.FromSeconds(1)),
        };
        DashboardWatcher.AddDashboard(options);
        await using var cluster = await TestCluster.StartAsync(options);
        var silo = cluster.Silos[0];
        var watch = silo.Services.GetRequiredService<DashboardWatch>();
        var grains = InSiloCalls.Grains(silo.GrainFactory);
        await Task.WhenAll(grains.Select(g => g.Ping()));

        int[] callerCounts = args.Contains("--one-caller") ? [1] : args.Contains("--two-callers") ? [2] : [1, 2];
        foreach (var callers in callerCounts)
        {
            // Warm up both ways: the first watched calls make their method's statistics and tier up the watched path.
            await MeasureAsync(grains, callers, TimeSpan.FromSeconds(2));
            await using (await DashboardWatcher.OpenAsync(silo))
                await MeasureAsync(grains, callers, TimeSpan.FromSeconds(2));

            var results = new List<(double Closed, double Open)>();
            for (var round = 0; round < rounds; round++)
            {
                var openFirst = round % 2 == 1;
                double closed = 0, open = 0;
                foreach (var isOpen in openFirst ? new[] { true, false } : [false, true])
                {
                    if (isOpen && closedTwice)
                    {
                        await ClosedAsync(watch);
                        await Task.Delay(Settle);
                        open = await MeasureAsync(grains, callers, block);
                    }
                    else if (isOpen && withoutHttp)
                    {
                        using var touching = new Timer(_ => watch.Touch(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));
                        await Task.Delay(Settle);
                        open = await MeasureAsync(grains, callers, block);
                    }
                    else if (isOpen)
                    {
                        await using var watcher = await DashboardWatcher.OpenAsync(silo);
                        await Task.Delay(Settle);
                        open = await MeasureAsync(grains, callers, block);
                    }
                    else
                    {
                        await ClosedAsync(watch);
                        closed = await MeasureAsync(grains, callers, block);
                    }
                }

                results.Add((closed, open));
                Console.WriteLine($"  {callers} caller(s), round {round + 1} ({(openFirst ? "open first" : "closed first")}): closed {closed:F2} ns, open {open:F2} ns per call, loss {Loss(closed, open):F1}%");
            }

            var losses = results.Select(x => Loss(x.Closed, x.Open)).Order().ToList();
            var (low, high) = MedianConfidence(losses);
            Console.WriteLine(
                $"| {callers} | {rounds} | {results.Average(x => x.Closed):F2} ns | {results.Average(x => x.Open):F2} ns | " +
                $"**{Median(losses):F1}%** | {low:F1}% … {high:F1}% | {losses[0]:F1}% … {losses[^1]:F1}% |");
        }
    }

    /// <summary>Nanoseconds per call over at least <paramref name="duration"/> of calls from <paramref name="callers"/> callers.</summary>
    private static async Task<double> MeasureAsync(IBenchGrain[] grains, int callers, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            long calls = 0;
            while (clock.Elapsed < duration)
            {
                for (var i = caller; i < CallsPerBatch; i += callers)
                    await grains[i % grains.Length].Increment();
                calls += CallsPerBatch / callers;
            }

            return calls;
        })));
        return clock.Elapsed.TotalNanoseconds / counts.Sum();
    }

    private static async Task ClosedAsync(DashboardWatch watch)
    {
        for (var waited = TimeSpan.Zero; watch.IsOn; waited += TimeSpan.FromMilliseconds(100))
        {
            if (waited > TimeSpan.FromSeconds(30))
                throw new InvalidOperationException("The silo's collection did not switch itself off after the dashboard closed.");
            await Task.Delay(100);
        }
    }

    private static double Loss(double closed, double open) => (1 - (closed / open)) * 100;

    /// <summary>
    /// A 95% confidence interval of the median, from the order statistics of the sorted losses (no assumption about how
    /// they are spread): the ranks n/2 ∓ 0.98 √n.
    /// </summary>
    private static (double Low, double High) MedianConfidence(IReadOnlyList<double> sorted)
    {
        var spread = 0.98 * Math.Sqrt(sorted.Count);
        var low = Math.Max(0, (int)Math.Floor((sorted.Count / 2.0) - spread) - 1);
        var high = Math.Min(sorted.Count - 1, (int)Math.Ceiling((sorted.Count / 2.0) + spread));
        return (sorted[low], sorted[high]);
    }

    private static double Median(IReadOnlyList<double> sorted)
        => sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
