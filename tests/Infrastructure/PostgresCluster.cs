using OrleansSync.Runtime.Testing;
using OrleansSync.Tests.Runtime;

namespace OrleansSync.Tests.Infrastructure;

/// <summary>Test clusters over PostgreSQL, hosting the test grains.</summary>
public static class PostgresCluster
{
    public static Task<TestCluster> StartAsync(string connectionString, int silos, Action<TestClusterOptions>? configure = null)
    {
        var options = new TestClusterOptions
        {
            ConnectionString = connectionString,
            InitialSilos = silos,
            ConfigureSilo = silo => silo.AddGrains(typeof(CounterGrain).Assembly),
        };
        configure?.Invoke(options);
        return TestCluster.StartAsync(options);
    }
}

/// <summary>
/// Tests that run clusters over PostgreSQL run one after another: several three-silo clusters side by side on two
/// cores would measure the machine, not the code.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection
{
    public const string Name = "PostgreSQL clusters";
}
