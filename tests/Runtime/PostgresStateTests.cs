using Npgsql;
using OrleansSync.Runtime.Testing;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Runtime;

/// <summary>The storage contract against PostgreSQL, plus what only a database can show.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStateTests : GrainStorageContract
{
    protected override async Task<TestCluster> StartSiloAsync()
        => await PostgresCluster.StartAsync(await PostgresServer.CreateDatabaseAsync(), silos: 1);

    [Fact]
    public async Task State_survives_a_silo_restart()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var key = $"{SingleSilo.NewTenant()}/counter";
        await using (var first = await PostgresCluster.StartAsync(database, silos: 1))
            await first.Silos[0].GrainFactory.GetGrain<ICounterGrain>(key).Add(42);

        await using var second = await PostgresCluster.StartAsync(database, silos: 1);
        Assert.Equal(42, await second.Silos[0].GrainFactory.GetGrain<ICounterGrain>(key).Get());
    }

    [Fact]
    public async Task Two_silos_starting_together_on_an_empty_database_both_come_up_and_migrate_once()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        await using var cluster = await PostgresCluster.StartAsync(database, silos: 2);

        Assert.All(cluster.Silos, s => Assert.True(s.Control.IsStarted));
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), count(DISTINCT version) FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(reader.GetInt64(1), reader.GetInt64(0));
        var scripts = typeof(OrleansSync.Runtime.Grain).Assembly.GetManifestResourceNames().Count(n => n.StartsWith("OrleansSync.Runtime.Migrations.", StringComparison.Ordinal));
        Assert.Equal(7, scripts);
        Assert.Equal(scripts, reader.GetInt64(0));
    }
}
