using OrleansSync.Runtime.Activation;

namespace OrleansSync.Runtime.Calls;

/// <summary>One call travelling through the incoming-call filters to its grain method.</summary>
internal sealed class IncomingGrainCallContext<TGrain, TArgs, TResult> : IIncomingGrainCallContext
    where TGrain : class, IGrain
{
    private readonly IIncomingGrainCallFilter[] _filters;
    private readonly GrainMethod<TGrain, TArgs, TResult> _method;
    private readonly TArgs _args;
    private int _nextFilter;
    private TResult? _result;

    private IncomingGrainCallContext(IIncomingGrainCallFilter[] filters, ActivationData activation, GrainMethod<TGrain, TArgs, TResult> method, TArgs args)
    {
        _filters = filters;
        Grain = activation.Instance!;
        TargetId = activation.GrainId;
        _method = method;
        _args = args;
    }

    public Grain Grain { get; }

    public GrainId TargetId { get; }

    public GrainMethod Method => _method;

    public object? Result => _result;

    public static async Task<TResult> Run(IIncomingGrainCallFilter[] filters, ActivationData activation, GrainMethod<TGrain, TArgs, TResult> method, TArgs args)
    {
        var context = new IncomingGrainCallContext<TGrain, TArgs, TResult>(filters, activation, method, args);
        await context.Invoke();
        return context._result!;
    }

    public async Task Invoke()
    {
        if (_nextFilter < _filters.Length)
        {
            await _filters[_nextFilter++].Invoke(this);
            return;
        }

        _result = await _method.Invoke(Grain, _args);
    }
}
