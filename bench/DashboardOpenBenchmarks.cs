using BenchmarkDotNet.Attributes;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Testing;

namespace OrleansSync.Bench;

/// <summary>
/// What an operator watching the dashboard costs the grain calls (issue 6): <see cref="InSiloCallBenchmarks"/>' grain
/// calls on a silo that serves the dashboard, with nobody watching and with the page open — a
/// <see cref="DashboardWatcher"/> holding the live stream and polling the Grains section's endpoints every 2 seconds
/// over HTTP, as the page does. With it open, the silo's collection is on: every call goes through the metrics filter.
/// </summary>
[MemoryDiagnoser]
public class DashboardOpenBenchmarks
{
    private const int CallsPerInvoke = InSiloCallBenchmarks.CallsPerInvoke;

    private IBenchGrain[] _grains = [];
    private TestCluster? _silo;
    private DashboardWatcher? _watcher;

    /// <summary>Whether an operator has the dashboard open meanwhile.</summary>
    [Params(false, true)]
    public bool DashboardOpen { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new TestClusterOptions
        {
            InitialSilos = 1,
            ConfigureSilo = silo => silo.AddGrain<BenchGrain>(),
        };
        DashboardWatcher.AddDashboard(options); // served either way, as by every silo; watched or not
        _silo = TestCluster.StartAsync(options).GetAwaiter().GetResult();
        _grains = InSiloCalls.Grains(_silo.Silos[0].GrainFactory);
        Task.WhenAll(_grains.Select(g => g.Ping())).GetAwaiter().GetResult();
        if (DashboardOpen)
            _watcher = DashboardWatcher.OpenAsync(_silo.Silos[0]).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_watcher is not null)
        {
            Console.WriteLine($"// The dashboard was polled {_watcher.Polls} times.");
            _watcher.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _watcher = null;
        }

        _silo?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public Task<int> Grain_call_in_silo() => InSiloCalls.OneCallerAsync(_grains, CallsPerInvoke);

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public Task Grain_call_in_silo_two_callers() => InSiloCalls.CallersAsync(_grains, 2, CallsPerInvoke);
}
