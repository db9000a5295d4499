using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansSync.Runtime.Postgres;

/// <summary>
/// Brings the database schema up to date from the numbered scripts in <c>Postgres/Migrations</c>. All of it runs in
/// one transaction behind an advisory lock, so silos and api nodes starting at the same moment apply each script
/// exactly once, and a failed script leaves nothing half-done.
/// </summary>
internal sealed partial class PostgresMigrator(NpgsqlDataSource dataSource, ILogger<PostgresMigrator> logger) : IHostedService
{
    // Any fixed number will do, as long as every node uses the same one: "OSyn".
    private const long AdvisoryLockKey = 0x4F53_796E;

    private const string CreateHistory = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now())
        """;

    public Task StartAsync(CancellationToken cancellationToken) => MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            command.Parameters.AddWithValue("key", AdvisoryLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(CreateHistory, connection, transaction))
            await command.ExecuteNonQueryAsync(cancellationToken);

        var applied = new HashSet<int>();
        await using (var command = new NpgsqlCommand("SELECT version FROM schema_migrations", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                applied.Add(reader.GetInt32(0));
        }

        var pending = Scripts().Where(s => !applied.Contains(s.Version)).ToList();
        foreach (var script in pending)
        {
            await using (var command = new NpgsqlCommand(script.Sql, connection, transaction))
                await command.ExecuteNonQueryAsync(cancellationToken);
            await using (var command = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES (@version, @name)", connection, transaction))
            {
                command.Parameters.AddWithValue("version", script.Version);
                command.Parameters.AddWithValue("name", script.Name);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            LogApplied(script.Version, script.Name);
        }

        await transaction.CommitAsync(cancellationToken);
        if (pending.Count == 0)
            LogUpToDate(applied.Count == 0 ? 0 : applied.Max());
    }

    /// <summary>The embedded scripts, in order: <c>0001_cluster.sql</c>, <c>0002_grain_state.sql</c>, …</summary>
    internal static IReadOnlyList<MigrationScript> Scripts()
    {
        var assembly = typeof(PostgresMigrator).Assembly;
        const string prefix = "OrleansSync.Runtime.Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => (Resource: name, Match: ScriptName().Match(name[prefix.Length..])))
            .Where(s => s.Match.Success)
            .Select(s => new MigrationScript(int.Parse(s.Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), s.Match.Groups[2].Value, Read(assembly, s.Resource)))
            .OrderBy(s => s.Version)
            .ToList();
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^(\d{4})_(.+)\.sql$")]
    private static partial Regex ScriptName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied database migration {Version} ({Name})")]
    private partial void LogApplied(int version, string name);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Database schema is up to date at version {Version}")]
    private partial void LogUpToDate(int version);

    internal sealed record MigrationScript(int Version, string Name, string Sql);
}
