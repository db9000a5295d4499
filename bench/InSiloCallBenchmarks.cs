using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Metrics;
using OrleansSync.Runtime.Testing;

namespace OrleansSync.Bench;

/// <summary>
/// In-silo grain calls against a plain baseline, in the same run: the baseline calls the same counter as a plain
/// object, found by key in a dictionary and called under that key's lock — what a hand-written actor would do. The
/// grain calls go through generated references and the runtime (one activation per grain, turns, queueing when busy).
/// Each invocation makes <see cref="CallsPerInvoke"/> calls over 100 grains, so the reported time is per call.
/// </summary>
[MemoryDiagnoser]
public class InSiloCallBenchmarks
{
    public const int CallsPerInvoke = 100_000;
    private readonly ConcurrentDictionary<string, PlainCounter> _plain = new();
    private readonly ConcurrentDictionary<string, object> _locks = new();
    private string[] _keys = [];
    private IBenchGrain[] _grains = [];
    private TestCluster? _silo;
    private DashboardWatch? _watch;

    [GlobalSetup]
    public void Setup()
    {
        _silo = TestCluster.StartAsync(new TestClusterOptions
        {
            InitialSilos = 1,
            ConfigureSilo = silo => silo.AddGrain<BenchGrain>(),
        }).GetAwaiter().GetResult();

        _keys = InSiloCalls.Keys;
        _grains = InSiloCalls.Grains(_silo.Silos[0].GrainFactory);
        foreach (var key in _keys)
        {
            _plain[key] = new PlainCounter();
            _locks[key] = new object();
        }

        Task.WhenAll(_grains.Select(g => g.Ping())).GetAwaiter().GetResult();
        _watch = _silo.Silos[0].Services.GetRequiredService<DashboardWatch>();
    }

    [GlobalCleanup]
    public void Cleanup() => _silo?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = CallsPerInvoke)]
    public async Task<int> Baseline_direct_call_behind_per_key_lock()
    {
        var sum = 0;
        for (var i = 0; i < CallsPerInvoke; i++)
        {
            var key = _keys[i % InSiloCalls.GrainCount];
            Task<int> call;
            lock (_locks[key])
                call = _plain[key].Increment();
            sum += await call;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public Task<int> Grain_call_in_silo() => InSiloCalls.OneCallerAsync(_grains, CallsPerInvoke);

    /// <summary>
    /// The same calls while the dashboard is open: its watch is on, so every call goes through the metrics filter —
    /// timed, counted and put in its per-second bucket.
    /// </summary>
    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public Task<int> Grain_call_in_silo_dashboard_open()
    {
        _watch!.Touch();
        return InSiloCalls.OneCallerAsync(_grains, CallsPerInvoke);
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public async Task Grain_call_in_silo_without_result()
    {
        for (var i = 0; i < CallsPerInvoke; i++)
            await _grains[i % InSiloCalls.GrainCount].Ping();
    }

    /// <summary>Both cores: one caller per core, each on its own half of the grains.</summary>
    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public Task Baseline_two_callers() => Task.WhenAll(Enumerable.Range(0, 2).Select(caller => Task.Run(async () =>
    {
        for (var i = caller; i < CallsPerInvoke; i += 2)
        {
            var key = _keys[i % InSiloCalls.GrainCount];
            Task<int> call;
            lock (_locks[key])
                call = _plain[key].Increment();
            await call;
        }
    })));

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public Task Grain_call_in_silo_two_callers() => InSiloCalls.CallersAsync(_grains, 2, CallsPerInvoke);

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public Task Grain_call_in_silo_two_callers_dashboard_open()
    {
        _watch!.Touch();
        return InSiloCalls.CallersAsync(_grains, 2, CallsPerInvoke);
    }
}
