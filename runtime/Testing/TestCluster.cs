using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Hosting;

namespace OrleansSync.Runtime.Testing;

/// <summary>How to build the silos of a <see cref="TestCluster"/>.</summary>
public sealed class TestClusterOptions
{
    /// <summary>The database the silos share; <c>null</c> for a single in-memory silo.</summary>
    public string? ConnectionString { get; set; }

    public int InitialSilos { get; set; } = 3;

    /// <summary>Configuration every silo and the client get (keys as in appsettings: "Cluster:LeaseDuration").</summary>
    public Dictionary<string, string?> Configuration { get; } = [];

    /// <summary>Adds grains, filters and handlers to each silo.</summary>
    public Action<SiloBuilder>? ConfigureSilo { get; set; }

    /// <summary>Adds services to each silo and to the client.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>Maps endpoints on each silo, after the silo's own.</summary>
    public Action<WebApplication>? ConfigureApp { get; set; }

    /// <summary>Shared by every silo; <see cref="TimeProvider.System"/> when not set.</summary>
    public TimeProvider? Time { get; set; }

    /// <summary>The clock of grain code and reminders (<see cref="GrainClock"/>); <see cref="Time"/> when not set.</summary>
    public TimeProvider? GrainClock { get; set; }

    /// <summary>Where the silos log, besides nowhere.</summary>
    public ILoggerProvider? LoggerProvider { get; set; }

    public LogLevel MinimumLogLevel { get; set; } = LogLevel.Warning;
}

/// <summary>
/// A cluster in one process (E8): each silo is a full ASP.NET Core host with its own dependency-injection container,
/// listening on its own loopback port, all sharing one PostgreSQL database. Silos can be added, stopped cleanly,
/// killed (no clean-up: their leases simply expire) and paused.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterOptions _options;
    private readonly List<TestSilo> _silos = [];
    private IHost? _client;

    private TestCluster(TestClusterOptions options) => _options = options;

    public IReadOnlyList<TestSilo> Silos => _silos;

    public IEnumerable<TestSilo> RunningSilos => _silos.Where(s => s.IsRunning);

    /// <summary>A front-end client of the cluster, like the api's: it hosts no grains and calls silos over HTTP.</summary>
    public IClusterClient Client => (_client ?? throw new InvalidOperationException("The cluster client exists only over PostgreSQL.")).Services.GetRequiredService<IClusterClient>();

    public IServiceProvider ClientServices => (_client ?? throw new InvalidOperationException("The cluster client exists only over PostgreSQL.")).Services;

    public static async Task<TestCluster> StartAsync(TestClusterOptions options)
    {
        var cluster = new TestCluster(options);
        try
        {
            // Silos start together, as they would after a deployment: this is also what exercises concurrent start-up.
            await Task.WhenAll(Enumerable.Range(0, options.InitialSilos).Select(_ => cluster.StartSiloAsync()));
            if (options.ConnectionString is not null)
                await cluster.StartClientAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public async Task<TestSilo> StartSiloAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        ConfigureHost(builder.Configuration, builder.Services, builder.Logging);
        builder.Services.AddOrleansSyncSilo(builder.Configuration, silo => _options.ConfigureSilo?.Invoke(silo));

        var app = builder.Build();
        app.MapSiloEndpoints();
        _options.ConfigureApp?.Invoke(app);

        var silo = new TestSilo(app);
        lock (_silos)
            _silos.Add(silo);
        await app.StartAsync();
        return silo;
    }

    /// <summary>
    /// Waits until every partition is owned by a running silo and no running silo holds more than its fair share
    /// (the partition count divided by the silos, rounded up) — 86, 86 and 84 of 256 for three silos, say.
    /// </summary>
    public async Task WaitUntilBalancedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var running = RunningSilos.ToList();
            var partitionCount = running[0].Runtime.Partitions.PartitionCount;
            var fairShare = (partitionCount + running.Count - 1) / running.Count;
            var owned = running.Select(s => s.Runtime.Partitions.OwnedPartitions()).ToList();
            var distinct = owned.SelectMany(p => p).Distinct().Count();
            if (distinct == partitionCount && owned.All(p => p.Count <= fairShare))
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The cluster did not balance within {timeout}: running silos own {string.Join(", ", owned.Select(p => p.Count))} of {partitionCount} partitions ({distinct} distinct).");
            await Task.Delay(50);
        }
    }

    private async Task StartClientAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development, DisableDefaults = true });
        ConfigureHost(builder.Configuration, builder.Services, builder.Logging);
        builder.Services.AddOrleansSyncClusterClient(builder.Configuration);
        _client = builder.Build();
        await _client.StartAsync();
    }

    private void ConfigureHost(IConfigurationManager configuration, IServiceCollection services, ILoggingBuilder logging)
    {
        var settings = new Dictionary<string, string?>(_options.Configuration);
        if (_options.ConnectionString is not null)
        {
            settings[$"ConnectionStrings:{OrleansSyncHosting.PostgresConnectionStringName}"] = _options.ConnectionString;
            settings.TryAdd("Cluster:ClusterSecret", "test-cluster-secret");
        }

        configuration.AddInMemoryCollection(settings);
        logging.ClearProviders();
        logging.SetMinimumLevel(_options.MinimumLogLevel);
        if (_options.LoggerProvider is not null)
            logging.AddProvider(_options.LoggerProvider);
        if (_options.Time is not null)
            services.AddSingleton(_options.Time);
        if (_options.GrainClock is not null)
            services.AddKeyedSingleton(Runtime.GrainClock.Key, _options.GrainClock);
        _options.ConfigureServices?.Invoke(services);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(RunningSilos.Select(s => s.StopAsync()));
        foreach (var silo in _silos)
            await silo.DisposeAsync();
        if (_client is not null)
        {
            await _client.StopAsync();
            _client.Dispose();
        }
    }
}

/// <summary>One silo of a <see cref="TestCluster"/>.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _disposed;

    internal TestSilo(WebApplication app)
    {
        _app = app;
        Control = app.Services.GetRequiredService<SiloControl>();
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>This silo's grain factory: calls through it start here, and go to another silo when it owns the grain.</summary>
    public IGrainFactory GrainFactory => Services.GetRequiredService<IGrainFactory>();

    public string SiloId => Services.GetRequiredService<SiloIdentity>().SiloId;

    public Uri Address => Services.GetRequiredService<SiloIdentity>().Address;

    public SiloControl Control { get; }

    public bool IsRunning { get; private set; } = true;

    internal SiloRuntime Runtime => Services.GetRequiredService<SiloRuntime>();

    /// <summary>Partitions this silo serves now.</summary>
    public IReadOnlyList<int> OwnedPartitions => Runtime.Partitions.OwnedPartitions();

    /// <summary>Activations living on this silo now.</summary>
    public int ActivationCount => Runtime.Directory.Count;

    /// <summary>A clean stop: the silo hands its partitions over, then leaves.</summary>
    public async Task StopAsync()
    {
        if (!IsRunning)
            return;
        IsRunning = false;
        await _app.StopAsync();
    }

    /// <summary>
    /// Kills the silo as if its process died: its loops stop at once, its server drops every connection, its database
    /// connections close, and it says goodbye to nobody. Its partitions move only when their leases expire.
    /// </summary>
    public async Task KillAsync()
    {
        if (!IsRunning)
            return;
        IsRunning = false;
        Control.Kill();
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        await _app.StopAsync(now.Token);
        await DisposeAsync();
    }

    /// <summary>Freezes the silo, like a long garbage collection or a network partition: no heartbeats, renewals, ticks or deliveries, and requests to it wait.</summary>
    public void Pause() => Control.Pause();

    public void Resume() => Control.Resume();

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await _app.DisposeAsync();
    }
}
