using OrleansSync.Runtime;
using OrleansSync.Runtime.Testing;

namespace OrleansSync.Tests.Runtime;

/// <summary>Starts the single-process default — one silo, everything in memory — hosting the test grains.</summary>
public static class SingleSilo
{
    public static Task<TestCluster> StartAsync(Action<TestClusterOptions>? configure = null)
    {
        var options = new TestClusterOptions
        {
            InitialSilos = 1,
            ConfigureSilo = silo => silo.AddGrains(typeof(CounterGrain).Assembly),
        };
        configure?.Invoke(options);
        return TestCluster.StartAsync(options);
    }

    public static IGrainFactory Grains(this TestCluster cluster) => cluster.Silos[0].GrainFactory;

    /// <summary>A tenant id no other test uses.</summary>
    public static string NewTenant() => "t" + Guid.NewGuid().ToString("N")[..12];
}
