using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OrleansSync.Runtime.Testing;

/// <summary>
/// A PostgreSQL server of its own for tests and benchmarks: a fresh data directory, a free loopback port, started
/// with the installed <c>initdb</c> and <c>pg_ctl</c> (as the postgres user when running as root, which PostgreSQL
/// refuses), and stopped and deleted on dispose.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private const string DirectoryPrefix = "orleanssync-pg-";

    private readonly string _bin;
    private readonly string _dataDirectory;
    private readonly bool _asRoot;
    private bool _stopped;

    private ThrowawayPostgres(string bin, string dataDirectory, bool asRoot, int port)
    {
        _bin = bin;
        _dataDirectory = dataDirectory;
        _asRoot = asRoot;
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    public string AdminConnectionString { get; }

    /// <summary>
    /// Starts a server. <paramref name="durable"/> keeps PostgreSQL's own defaults (every commit flushed to disk);
    /// otherwise durability is switched off for speed, which is fine for a server that is thrown away.
    /// </summary>
    public static async Task<ThrowawayPostgres> StartAsync(bool durable = false)
    {
        var bin = FindBinaries();
        RemoveAbandonedDirectories();
        var dataDirectory = Path.Combine(Path.GetTempPath(), DirectoryPrefix + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDirectory);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
            await RunAsync("chown", "postgres:postgres", dataDirectory);

        await RunAsPostgresAsync(asRoot, Path.Combine(bin, "initdb"), "-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync");
        var port = FreePort();
        var options = $"-p {port} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c max_connections=400"
            + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        await RunAsPostgresAsync(asRoot, Path.Combine(bin, "pg_ctl"), "-D", dataDirectory, "-o", options, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "start");
        return new ThrowawayPostgres(bin, dataDirectory, asRoot, port);
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public Task<string> CreateDatabaseAsync() => CreateDatabaseAsync(AdminConnectionString);

    /// <summary>A new, empty database on the server <paramref name="adminConnectionString"/> reaches.</summary>
    public static async Task<string> CreateDatabaseAsync(string adminConnectionString)
    {
        var name = "db_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, MaxPoolSize = 40 }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        await RunAsPostgresAsync(_asRoot, Path.Combine(_bin, "pg_ctl"), "-D", _dataDirectory, "-m", "immediate", "stop");
        Directory.Delete(_dataDirectory, recursive: true);
    }

    /// <summary>Stops the server synchronously, for process-exit handlers.</summary>
    public void Stop() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A process killed before it could stop its server leaves the data directory behind; no server runs there any more.</summary>
    private static void RemoveAbandonedDirectories()
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            var pidFile = Path.Combine(directory, "postmaster.pid");
            var running = File.Exists(pidFile)
                && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid)
                && Directory.Exists($"/proc/{pid}");
            if (running)
                continue;
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Someone else's, or going away already.
            }
        }
    }

    private static string FindBinaries()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin"))
            : [];
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator);
        return installed.Concat(onPath).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException("PostgreSQL's initdb and pg_ctl were not found; install PostgreSQL.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunAsPostgresAsync(bool asRoot, string program, params string[] arguments)
        => asRoot ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
    }
}
