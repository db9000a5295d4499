using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansSync.Runtime.Activation;
using OrleansSync.Runtime.Calls;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Inbox;
using OrleansSync.Runtime.Metrics;
using OrleansSync.Runtime.Outbox;
using OrleansSync.Runtime.Postgres;
using OrleansSync.Runtime.Reminders;
using OrleansSync.Runtime.Storage;

namespace OrleansSync.Runtime.Hosting;

/// <summary>
/// Sets up a silo or a cluster client. The mode follows the configuration alone: with
/// <c>ConnectionStrings:Postgres</c>, state, reminders, inbox, outbox, membership and placement live in PostgreSQL
/// and any number of silos and clients share them; without it, one silo owns every partition and keeps everything in
/// memory.
/// Grain code is the same in both.
/// </summary>
public static class OrleansSyncHosting
{
    public const string PostgresConnectionStringName = "Postgres";

    /// <summary>Registers a silo: the grain runtime, its background services, and the storage the mode calls for.</summary>
    public static IServiceCollection AddOrleansSyncSilo(this IServiceCollection services, IConfiguration configuration, Action<SiloBuilder> configure)
    {
        var silo = new SiloBuilder(services, configuration);
        configure(silo);

        AddOptions(services, configuration, requireClusterSecret: silo.IsDurable);
        if (!silo.IsDurable)
        {
            // One silo is the whole cluster: its leases never need renewing, and nobody else could take them.
            services.PostConfigure<ClusterOptions>(o => o.LeaseDuration = Timeout.InfiniteTimeSpan);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton<TimeProvider>(GrainClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
        // A fresh id for every process: fencing tells writers apart by silo id and epoch, so no two lives of a silo may share one.
        services.AddSingleton(_ => new SiloIdentity(SiloIdentity.NewId()));
        services.AddSingleton<SiloControl>();
        services.AddSingleton(sp => new TenantPartitioner(sp.GetRequiredService<IOptions<ClusterOptions>>().Value.PartitionCount));
        services.AddSingleton(sp => new LocalPartitionTable(
            sp.GetRequiredService<IOptions<ClusterOptions>>().Value.PartitionCount,
            sp.GetRequiredService<SiloIdentity>().SiloId,
            sp.GetRequiredService<TimeProvider>()));
        var grainClasses = silo.GrainClasses.ToList();
        services.AddSingleton(_ => new GrainClassRegistry(grainClasses));
        services.AddSingleton<ReminderRegistry>();
        services.AddSingleton<SiloRuntime>();
        services.AddSingleton(sp => sp.GetRequiredService<SiloRuntime>().Dispatcher);
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<SiloRuntime>().GrainFactory);
        services.AddSingleton<IClusterClient>(sp => sp.GetRequiredService<SiloRuntime>().GrainFactory);
        services.AddSingleton<IClusterStatus, ClusterStatus>();
        AddMetrics(services);
        services.AddSingleton<InboxSignal>();
        services.AddSingleton<IInbox, InboxWriter>();
        services.AddSingleton<IInboxMonitor>(sp => sp.GetRequiredService<IInboxStore>());
        AddOutbox(services);
        // Every event gets a log line and a place among the recent events; SiloBuilder.AddOutboxSubscriber adds more.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxSubscriber, OutboxLogSubscriber>());
        services.AddSingleton<RecentEvents>();
        services.AddSingleton<IOutboxSubscriber>(sp => sp.GetRequiredService<RecentEvents>());

        if (silo.IsDurable)
        {
            AddPostgres(services, silo.ConnectionString!);
            services.AddOrleansSyncDataProtection(configuration, durable: true); // after the migrator, which makes its table
            AddRemoteCalls(services);
            services.AddSingleton<IReminderTable, PostgresReminderTable>();
            services.AddKeyedSingleton<IGrainStorage, PostgresGrainStorage>(PersistentStateAttribute.DefaultStorageName);
            services.AddHostedService<PostgresInboxListener>();
        }
        else
        {
            services.AddOrleansSyncDataProtection(configuration, durable: false);
            services.AddSingleton<IMembershipTable, InMemoryMembershipTable>();
            services.AddSingleton<InMemoryPartitionLeaseTable>();
            services.AddSingleton<IPartitionLeaseTable>(sp => sp.GetRequiredService<InMemoryPartitionLeaseTable>());
            services.AddSingleton<IInboxStore, InMemoryInboxStore>();
            services.AddSingleton<IOutboxStore, InMemoryOutboxStore>();
            services.AddSingleton<IReminderTable, InMemoryReminderTable>();
            services.AddKeyedSingleton<IGrainStorage, MemoryGrainStorage>(PersistentStateAttribute.DefaultStorageName);
        }

        // Started in this order, stopped in the reverse: the silo joins before anything runs on its partitions, and on
        // a clean stop reminders, inbox, outbox and collection end before the partitions are handed over.
        services.AddHostedService(sp => new SiloModeReporter(sp.GetRequiredService<SiloIdentity>(), sp.GetRequiredService<IOptions<ClusterOptions>>(), silo.ConnectionString, sp.GetRequiredService<ILogger<SiloModeReporter>>()));
        services.AddSingleton<PartitionManager>();
        services.AddHostedService(sp => sp.GetRequiredService<PartitionManager>());
        services.AddHostedService<ReminderService>();
        services.AddHostedService<InboxPump>();
        services.AddHostedService<OutboxPublisher>();
        services.AddHostedService<ActivationCollector>();

        services.AddHealthChecks().AddCheck<SiloReadinessCheck>("silo");
        return services;
    }

    /// <summary>
    /// Registers a cluster client for a process that hosts no grains (the api front-end): calls go to the owner silo
    /// over HTTP; inbox and outbox appends, outbox reads and cluster status go to PostgreSQL. It publishes nothing: the
    /// silo owning an event's partition does.
    /// </summary>
    public static IServiceCollection AddOrleansSyncClusterClient(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(PostgresConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("A cluster client finds its silos through PostgreSQL: set ConnectionStrings:Postgres (environment: ConnectionStrings__Postgres).");

        AddOptions(services, configuration, requireClusterSecret: true);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new TenantPartitioner(sp.GetRequiredService<IOptions<ClusterOptions>>().Value.PartitionCount));
        AddPostgres(services, connectionString);
        services.AddOrleansSyncDataProtection(configuration, durable: true);
        AddRemoteCalls(services);
        services.AddSingleton(sp => new GrainCallDispatcher(sp.GetRequiredService<TenantPartitioner>(), silo: null, sp.GetRequiredService<RemoteGrainCallTransport>()));
        services.AddSingleton(sp => new GrainFactory(sp.GetRequiredService<GrainCallDispatcher>()));
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainFactory>());
        services.AddSingleton<IClusterClient>(sp => sp.GetRequiredService<GrainFactory>());
        services.AddSingleton<IClusterStatus, ClusterStatus>();
        services.AddSingleton<InboxSignal>();
        services.AddSingleton<IInbox, InboxWriter>();
        services.AddSingleton<IInboxMonitor>(sp => sp.GetRequiredService<IInboxStore>());
        AddOutbox(services);
        services.AddSingleton<ClusterClientStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterClientStartup>());
        services.AddHealthChecks().AddCheck<ClusterClientReadinessCheck>("cluster-client");
        return services;
    }

    /// <summary>Maps the internal grain-call and silo stats, history and log endpoints (in a cluster) and <c>GET /health</c>.</summary>
    public static IEndpointRouteBuilder MapSiloEndpoints(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetService<RemoteGrainCallTransport>() is not null)
        {
            endpoints.MapInternalGrainEndpoints();
            endpoints.MapInternalSiloStats();
            endpoints.MapInternalSiloHistory();
            endpoints.MapInternalSiloLogs();
        }

        endpoints.MapHealthChecks("/health");
        return endpoints;
    }

    private static void AddOptions(IServiceCollection services, IConfiguration configuration, bool requireClusterSecret)
    {
        AddValidated<GrainOptions>(services, configuration, GrainOptions.SectionName, GrainOptions.Validate);
        AddValidated<ClusterOptions>(services, configuration, ClusterOptions.SectionName, o =>
            requireClusterSecret && string.IsNullOrWhiteSpace(o.ClusterSecret)
                ? new ValidationResult("Cluster:ClusterSecret is required when running on PostgreSQL: every silo and api node must share it (environment: Cluster__ClusterSecret).")
                : ClusterOptions.Validate(o));
        AddValidated<SiloOptions>(services, configuration, SiloOptions.SectionName, _ => ValidationResult.Success);
        AddValidated<ReminderOptions>(services, configuration, ReminderOptions.SectionName, ReminderOptions.Validate);
        AddValidated<InboxOptions>(services, configuration, InboxOptions.SectionName, InboxOptions.Validate);
        AddValidated<OutboxOptions>(services, configuration, OutboxOptions.SectionName, OutboxOptions.Validate);
        AddValidated<DashboardWatchOptions>(services, configuration, DashboardWatchOptions.SectionName, DashboardWatchOptions.Validate);
        services.AddOptions<GrainSerializationOptions>();
    }

    private static void AddValidated<TOptions>(IServiceCollection services, IConfiguration configuration, string section, Func<TOptions, ValidationResult?> validate)
        where TOptions : class
    {
        services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>>(new DelegateOptionsValidator<TOptions>(validate));
    }

    /// <summary>
    /// What the dashboard reads of a silo: the watch that switches collection on and off, the per-call metrics (an
    /// incoming-call filter, inactive while nobody watches), CPU sampling, the history of samples and the log kept while
    /// someone watches, and the stats, history and log of this silo and the others.
    /// </summary>
    private static void AddMetrics(IServiceCollection services)
    {
        services.AddSingleton<ProcessSampler>();
        services.AddSingleton<DashboardWatch>();
        services.AddSingleton<GrainCallMetrics>();
        services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<GrainCallMetrics>());
        services.AddSingleton(sp => new SiloStats(
            sp.GetRequiredService<SiloRuntime>(),
            sp.GetRequiredService<ProcessSampler>(),
            sp.GetRequiredService<DashboardWatch>(),
            sp.GetRequiredService<GrainCallMetrics>(),
            sp.GetServices<ISiloStatsContributor>()));
        services.AddSingleton(sp =>
        {
            var runtime = sp.GetRequiredService<SiloRuntime>();
            return new SiloHistory(
                sp.GetRequiredService<SiloIdentity>().SiloId,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IOptions<DashboardWatchOptions>>(),
                sp.GetRequiredService<DashboardWatch>(),
                sp.GetRequiredService<ProcessSampler>(),
                sp.GetRequiredService<GrainCallMetrics>(),
                () => runtime.Directory.Count);
        });
        services.AddSingleton<SiloLog>();
        services.AddHostedService<DashboardCollection>();
        services.AddSingleton(sp => new ClusterStatsReader(
            sp.GetRequiredService<IClusterStatus>(),
            sp.GetRequiredService<SiloStats>(),
            sp.GetRequiredService<SiloHistory>(),
            sp.GetRequiredService<SiloLog>(),
            sp.GetService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<ClusterOptions>>(),
            sp.GetRequiredService<DashboardWatch>()));
    }

    /// <summary>The outbox's writer and monitor, on every node; its store comes with the mode.</summary>
    private static void AddOutbox(IServiceCollection services)
    {
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IOutbox, OutboxWriter>();
        services.AddSingleton<IOutboxMonitor>(sp => sp.GetRequiredService<IOutboxStore>());
    }

    private static void AddPostgres(IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(sp => new NpgsqlDataSourceBuilder(connectionString)
            .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
            .Build());
        services.AddHostedService<PostgresMigrator>();
        services.AddSingleton<IMembershipTable, PostgresMembershipTable>();
        services.AddSingleton<IPartitionLeaseTable, PostgresPartitionLeaseTable>();
        services.AddSingleton<IInboxStore, PostgresInboxStore>();
        services.AddSingleton<IOutboxStore, PostgresOutboxStore>();
    }

    private static void AddRemoteCalls(IServiceCollection services)
    {
        services.AddSingleton<PlacementDirectory>();
        services.AddSingleton<RemoteGrainCallTransport>();
        services.AddHttpClient(RemoteGrainCallTransport.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A dead silo's address must fail fast so that the call can wait for the partition's next owner.
                ConnectTimeout = TimeSpan.FromSeconds(2),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
    }

    private sealed class DelegateOptionsValidator<TOptions>(Func<TOptions, ValidationResult?> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
            => validate(options) is { } result && result != ValidationResult.Success
                ? ValidateOptionsResult.Fail(result.ErrorMessage ?? $"{typeof(TOptions).Name} is invalid.")
                : ValidateOptionsResult.Success;
    }
}

/// <summary>Says in the log, once, which mode this silo runs in.</summary>
internal sealed partial class SiloModeReporter(SiloIdentity identity, IOptions<ClusterOptions> options, string? connectionString, ILogger<SiloModeReporter> logger)
    : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (connectionString is null)
        {
            LogSingleProcess(identity.SiloId, options.Value.PartitionCount);
        }
        else
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            LogDurable(identity.SiloId, builder.Host ?? "localhost", builder.Database ?? "(default)", options.Value.PartitionCount);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {SiloId} runs in single-process mode: grain state, reminders, the inbox and the outbox are kept in memory and lost on restart; this silo owns all {Partitions} partitions. Set ConnectionStrings__Postgres to run durable and clustered.")]
    private partial void LogSingleProcess(string siloId, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {SiloId} runs in durable cluster mode on PostgreSQL {Host}/{Database}: state, reminders, inbox, outbox, membership and {Partitions} partition leases are shared with the other silos.")]
    private partial void LogDurable(string siloId, string host, string database, int partitions);
}

/// <summary><c>/health</c> of a silo: healthy once it has joined the cluster and until it stops.</summary>
internal sealed class SiloReadinessCheck(SiloControl control) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(control switch
        {
            { IsKilled: true } => HealthCheckResult.Unhealthy("The silo was stopped."),
            { IsStarted: false } => HealthCheckResult.Unhealthy("The silo has not joined the cluster yet."),
            { IsPaused: true } => HealthCheckResult.Degraded("The silo is paused."),
            _ => HealthCheckResult.Healthy(),
        });
}

/// <summary>Checks, before a front-end serves, that the database is reachable and agrees on the partition count.</summary>
internal sealed class ClusterClientStartup(IPartitionLeaseTable leases, IOptions<ClusterOptions> options) : Microsoft.Extensions.Hosting.IHostedService
{
    public bool IsReady { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await leases.InitializeAsync(options.Value.PartitionCount);
        IsReady = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed class ClusterClientReadinessCheck(ClusterClientStartup startup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(startup.IsReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The cluster client has not checked the database yet."));
}
