using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OrleansSync.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the tests share. When <c>ORLEANSSYNC_TEST_POSTGRES</c> names one (as <c>.ci/run</c> does), that
/// one; otherwise a throwaway server of our own: a fresh data directory, a free loopback port, durability switched
/// off for speed, stopped and deleted when the test process exits. Each test gets a database of its own.
/// </summary>
public sealed class PostgresServer
{
    public const string ConnectionStringVariable = "ORLEANSSYNC_TEST_POSTGRES";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    private readonly string _adminConnectionString;

    private PostgresServer(string adminConnectionString) => _adminConnectionString = adminConnectionString;

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>A new, empty database; its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = await GetAsync();
        var name = "test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(server._adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server._adminConnectionString) { Database = name, MaxPoolSize = 40 }.ConnectionString;
    }

    private static async Task<PostgresServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } external)
            return new PostgresServer(new NpgsqlConnectionStringBuilder(external) { Database = "postgres" }.ConnectionString);

        var bin = FindBinaries();
        RemoveAbandonedDirectories();
        var dataDirectory = Path.Combine(Path.GetTempPath(), DirectoryPrefix + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDirectory);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
            await RunAsync("chown", "postgres:postgres", dataDirectory);

        await RunAsPostgresAsync(asRoot, Path.Combine(bin, "initdb"), "-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync");
        var port = FreePort();
        var options = $"-p {port} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400";
        await RunAsPostgresAsync(asRoot, Path.Combine(bin, "pg_ctl"), "-D", dataDirectory, "-o", options, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "start");

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            RunAsPostgresAsync(asRoot, Path.Combine(bin, "pg_ctl"), "-D", dataDirectory, "-m", "immediate", "stop").GetAwaiter().GetResult();
            Directory.Delete(dataDirectory, recursive: true);
        };

        return new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres");
    }

    private const string DirectoryPrefix = "orleanssync-test-pg-";

    /// <summary>A test process killed before its exit handler ran leaves its data directory behind; no server runs there any more.</summary>
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
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d).Select(d => Path.Combine(d, "bin"))
            : [];
        var pathDirectories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator);
        return candidates.Concat(pathDirectories).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException($"PostgreSQL binaries (initdb, pg_ctl) were not found; install PostgreSQL or set {ConnectionStringVariable}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>PostgreSQL refuses to run as root: run its tools as the postgres user then.</summary>
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
