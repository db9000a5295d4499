using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansSync.Runtime.Inbox;
using OrleansSync.Runtime.Outbox;

namespace OrleansSync.Runtime.Hosting;

/// <summary>What a silo hosts: its grain classes, incoming-call filters, inbox handler and outbox subscribers.</summary>
public sealed class SiloBuilder
{
    internal SiloBuilder(IServiceCollection services, IConfiguration configuration)
    {
        Services = services;
        Configuration = configuration;
        ConnectionString = configuration.GetConnectionString(OrleansSyncHosting.PostgresConnectionStringName);
        if (string.IsNullOrWhiteSpace(ConnectionString))
            ConnectionString = null;
    }

    public IServiceCollection Services { get; }

    public IConfiguration Configuration { get; }

    /// <summary>The PostgreSQL connection string; <c>null</c> in the single-process, in-memory default.</summary>
    public string? ConnectionString { get; }

    public bool IsDurable => ConnectionString is not null;

    internal List<Type> GrainClasses { get; } = [];

    public SiloBuilder AddGrain<TGrain>()
        where TGrain : Grain
    {
        GrainClasses.Add(typeof(TGrain));
        return this;
    }

    /// <summary>Hosts every concrete grain class of <paramref name="assembly"/>.</summary>
    public SiloBuilder AddGrains(Assembly assembly)
    {
        GrainClasses.AddRange(assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(Grain).IsAssignableFrom(t)));
        return this;
    }

    public SiloBuilder AddIncomingGrainCallFilter<TFilter>()
        where TFilter : class, IIncomingGrainCallFilter
    {
        Services.AddSingleton<IIncomingGrainCallFilter, TFilter>();
        return this;
    }

    /// <summary>The one handler inbox events are delivered to.</summary>
    public SiloBuilder AddInboxHandler<THandler>()
        where THandler : class, IInboxHandler
    {
        Services.AddSingleton<IInboxHandler, THandler>();
        return this;
    }

    /// <summary>
    /// One more receiver of published outbox events, besides the log and <see cref="RecentEvents"/>. Adding the same
    /// subscriber twice adds it once.
    /// </summary>
    public SiloBuilder AddOutboxSubscriber<TSubscriber>()
        where TSubscriber : class, IOutboxSubscriber
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxSubscriber, TSubscriber>());
        return this;
    }
}
