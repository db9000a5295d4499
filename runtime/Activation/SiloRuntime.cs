using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Activation;
using OrleansSync.Runtime.Calls;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Reminders;

namespace OrleansSync.Runtime;

/// <summary>
/// Everything one silo's activations share: its identity and clock, the partitions it owns, its activations, its
/// grain classes, and the routing of calls — run here (inline or queued) or sent to the owner of the partition.
/// </summary>
internal sealed class SiloRuntime
{
    private readonly IIncomingGrainCallFilter[] _filters;
    private readonly Metrics.GrainCallMetrics? _metricsAlone;
    private readonly RemoteGrainCallTransport? _remote;
    private readonly TimeSpan _responseTimeout;

    /// <summary>The dashboard's call metrics when they observe calls themselves (they are the only filter), else null.</summary>
    internal Metrics.GrainCallMetrics? CallMetrics { get; }

    public SiloRuntime(
        SiloIdentity identity,
        IServiceProvider services,
        IOptions<GrainOptions> options,
        TimeProvider time,
        ILogger<SiloRuntime> logger,
        TenantPartitioner partitioner,
        LocalPartitionTable partitions,
        GrainClassRegistry classes,
        ReminderRegistry reminders,
        IEnumerable<IIncomingGrainCallFilter> filters)
    {
        Identity = identity;
        Services = services;
        Options = options.Value;
        Time = time;
        Logger = logger;
        Partitions = partitions;
        Classes = classes;
        Reminders = reminders;
        _filters = filters.ToArray();
        // The dashboard's metrics only observe when a call starts and ends: alone, they need no call context.
        _metricsAlone = _filters is [Metrics.GrainCallMetrics metrics] ? metrics : null;
        CallMetrics = _metricsAlone;
        _remote = services.GetService<RemoteGrainCallTransport>();
        _responseTimeout = Options.ResponseTimeout;
        Directory = new ActivationDirectory(this);
        _metricsAlone?.WhenWatchStarts(() =>
        {
            foreach (var activation in Directory.Snapshot())
                activation.ObserveNextCall();
        });
        Dispatcher = new GrainCallDispatcher(partitioner, this, _remote);
        GrainFactory = new GrainFactory(Dispatcher);
    }

    public SiloIdentity Identity { get; }

    public string SiloId => Identity.SiloId;

    public IServiceProvider Services { get; }

    public GrainOptions Options { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public LocalPartitionTable Partitions { get; }

    public GrainClassRegistry Classes { get; }

    public ReminderRegistry Reminders { get; }

    public ActivationDirectory Directory { get; }

    public GrainCallDispatcher Dispatcher { get; }

    public GrainFactory GrainFactory { get; }

    /// <summary>
    /// Delivers a call that could not run inline through a warm reference: to an activation here, creating it if need
    /// be, or — when another silo owns the partition — over the network. A call that came from another silo is never
    /// sent on: it is answered "not owner" so that its sender looks the owner up again.
    /// </summary>
    public Task<TResult> Route<TGrain, TArgs, TResult>(GrainReference target, GrainMethod<TGrain, TArgs, TResult> method, TArgs args, bool fromRemote)
        where TGrain : class, IGrain
    {
        while (true)
        {
            if (!Partitions.IsOwned(target.Partition))
            {
                if (fromRemote)
                    return Task.FromException<TResult>(new NotOwnerException(target.Partition, SiloId));
                if (_remote is null)
                    return Task.FromException<TResult>(new GrainCallDeliveryException($"Silo {SiloId} does not own partition {target.Partition} of '{target.Key}' and is not part of a cluster."));
                return _remote.InvokeAsync(target, method, args);
            }

            GrainId grainId;
            try
            {
                var grainType = target.ExplicitGrainType ?? (target.ResolvedClass ??= Classes.Get(target.InterfaceType)).GrainType;
                grainId = new GrainId(grainType, target.Key);
            }
            catch (InvalidOperationException exception)
            {
                return Task.FromException<TResult>(exception);
            }

            var activation = Directory.GetOrCreate(grainId, target.Partition);
            target.CachedActivation = activation;
            if (activation.TryBeginInlineTurn())
                return RunInline(activation, method, args, target);

            var item = new CallWorkItem<TGrain, TArgs, TResult>(this, target, method, args, fromRemote);
            if (activation.Enqueue(item))
                return WithTimeout(item.Completion, target, method);
            // The activation was deactivated between the lookup and the enqueue: find or create its successor.
        }
    }

    /// <summary>Runs a call on the caller's thread; the activation's turn was already taken.</summary>
    public Task<TResult> RunInline<TGrain, TArgs, TResult>(ActivationData activation, GrainMethod<TGrain, TArgs, TResult> method, TArgs args, GrainReference target)
        where TGrain : class, IGrain
    {
        var call = Execute(activation, method, args);
        if (call.IsCompleted)
        {
            activation.EndTurn(call, method);
            return call;
        }

        activation.EndTurnWhenCompleted(call, method);
        return WithTimeout(call, target, method);
    }

    /// <summary>
    /// Runs a call on the grain object. The activation counts it; unless it is a call to observe — nobody watches and
    /// no filter runs, or the watching call metrics have not picked it — that is all the runtime adds to the call.
    /// </summary>
    public Task<TResult> Execute<TGrain, TArgs, TResult>(ActivationData activation, GrainMethod<TGrain, TArgs, TResult> method, TArgs args)
        where TGrain : class, IGrain
        => ++activation.Calls < activation.NextObserved
            ? method.Invoke(activation.Instance!, args)
            : ExecuteObserved(activation, method, args);

    /// <summary>
    /// A call the activation was told to observe: by the dashboard's call metrics when they are the only filter (they
    /// then tell it which call is next), or through the incoming-call filters (every call, while any is active).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Task<TResult> ExecuteObserved<TGrain, TArgs, TResult>(ActivationData activation, GrainMethod<TGrain, TArgs, TResult> method, TArgs args)
        where TGrain : class, IGrain
    {
        if (_metricsAlone is { } metrics)
            return metrics.Observe(activation, method, args);

        if (_filters.Length == 0)
        {
            activation.NextObserved = long.MaxValue;
            return method.Invoke(activation.Instance!, args);
        }

        return AnyFilterActive()
            ? IncomingGrainCallContext<TGrain, TArgs, TResult>.Run(_filters, activation, method, args)
            : method.Invoke(activation.Instance!, args);
    }

    private bool AnyFilterActive()
    {
        foreach (var filter in _filters)
        {
            if (filter.IsActive)
                return true;
        }

        return false;
    }

    private Task<TResult> WithTimeout<TResult>(Task<TResult> call, GrainReference target, GrainMethod method)
        => call.IsCompleted || _responseTimeout == Timeout.InfiniteTimeSpan ? call : AwaitWithTimeoutAsync(call, target, method);

    private async Task<TResult> AwaitWithTimeoutAsync<TResult>(Task<TResult> call, GrainReference target, GrainMethod method)
    {
        try
        {
            return await call.WaitAsync(_responseTimeout, Time);
        }
        catch (TimeoutException) when (!call.IsCompleted)
        {
            throw new TimeoutException($"{method} on grain '{target.Key}' did not answer within {_responseTimeout}.");
        }
    }
}
