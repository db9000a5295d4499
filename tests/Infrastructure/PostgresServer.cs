using OrleansSync.Runtime.Testing;

namespace OrleansSync.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests share: the one <c>ORLEANSSYNC_TEST_POSTGRES</c> names (as <c>.ci/run</c> sets it), or
/// else a throwaway server of our own, stopped when the test process exits. Each test gets a database of its own.
/// </summary>
public static class PostgresServer
{
    public const string ConnectionStringVariable = "ORLEANSSYNC_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> AdminConnectionString = new(StartAsync);

    /// <summary>A new, empty database; its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
        => await ThrowawayPostgres.CreateDatabaseAsync(await AdminConnectionString.Value);

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } external)
            return new Npgsql.NpgsqlConnectionStringBuilder(external) { Database = "postgres" }.ConnectionString;

        var server = await ThrowawayPostgres.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server.AdminConnectionString;
    }
}
