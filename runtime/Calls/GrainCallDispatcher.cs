using OrleansSync.Runtime.Calls;

namespace OrleansSync.Runtime;

/// <summary>
/// Where every call made through a grain reference starts. A warm reference to an idle activation on this silo runs
/// the call inline; everything else goes to the silo runtime (activation, queueing, forwarding) or, in a process
/// without grains, straight to the silo that owns the partition.
/// </summary>
public sealed class GrainCallDispatcher
{
    private readonly SiloRuntime? _silo;
    private readonly RemoteGrainCallTransport? _remote;

    internal GrainCallDispatcher(TenantPartitioner partitioner, SiloRuntime? silo, RemoteGrainCallTransport? remote)
    {
        if (silo is null && remote is null)
            throw new ArgumentException("A dispatcher needs a silo or a remote transport.");
        Partitioner = partitioner;
        _silo = silo;
        _remote = remote;
    }

    internal TenantPartitioner Partitioner { get; }

    internal Task<TResult> InvokeAsync<TGrain, TArgs, TResult>(GrainReference target, GrainMethod<TGrain, TArgs, TResult> method, TArgs args)
        where TGrain : class, IGrain
    {
        if (target.CachedActivation is { } activation && activation.TryBeginInlineTurn())
            return activation.Runtime.RunInline(activation, method, args, target);

        return _silo is not null
            ? _silo.Route(target, method, args, fromRemote: false)
            : _remote!.InvokeAsync(target, method, args);
    }

    /// <summary>A call that arrived from another node: run it here, or answer "not owner".</summary>
    internal Task<TResult> InvokeFromRemoteAsync<TGrain, TArgs, TResult>(GrainReference target, GrainMethod<TGrain, TArgs, TResult> method, TArgs args)
        where TGrain : class, IGrain
        => _silo is not null
            ? _silo.Route(target, method, args, fromRemote: true)
            : throw new InvalidOperationException("This process hosts no grains.");
}
