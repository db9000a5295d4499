namespace OrleansSync.Runtime.Activation;

/// <summary>A call waiting in an activation's queue.</summary>
internal abstract class WorkItem
{
    /// <summary>Starts the call on the grain and returns the grain's task: the turn lasts until it completes.</summary>
    public abstract Task Run(ActivationData activation);

    /// <summary>The grain method called.</summary>
    public abstract GrainMethod Method { get; }

    /// <summary>The activation could not be created: the call fails with the reason.</summary>
    public abstract void Fail(Exception exception);

    /// <summary>The activation went away before the call ran: deliver it again, to a new activation or another silo.</summary>
    public abstract void Redispatch();
}

/// <summary>A queued call of <typeparamref name="TResult"/>, completed when the grain's task completes.</summary>
internal sealed class CallWorkItem<TGrain, TArgs, TResult> : WorkItem
    where TGrain : class, IGrain
{
    private readonly SiloRuntime _runtime;
    private readonly GrainReference _target;
    private readonly GrainMethod<TGrain, TArgs, TResult> _method;
    private readonly TArgs _args;
    private readonly bool _fromRemote;
    private readonly ExecutionContext? _executionContext;
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActivationData? _runningOn;
    private Task<TResult>? _started;

    public CallWorkItem(SiloRuntime runtime, GrainReference target, GrainMethod<TGrain, TArgs, TResult> method, TArgs args, bool fromRemote)
    {
        _runtime = runtime;
        _target = target;
        _method = method;
        _args = args;
        _fromRemote = fromRemote;
        // The call runs later, on another thread: carry the caller's ambient values (RequestContext) with it, just as
        // an inline call would see them.
        _executionContext = ExecutionContext.Capture();
    }

    public Task<TResult> Completion => _completion.Task;

    public override GrainMethod Method => _method;

    public override Task Run(ActivationData activation)
    {
        if (_executionContext is null)
        {
            _started = _runtime.Execute(activation, _method, _args);
        }
        else
        {
            _runningOn = activation;
            ExecutionContext.Run(_executionContext, static state =>
            {
                var item = (CallWorkItem<TGrain, TArgs, TResult>)state!;
                item._started = item._runtime.Execute(item._runningOn!, item._method, item._args);
            }, this);
        }

        var call = _started!;
        _completion.PropagateFrom(call);
        return call;
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    public override void Redispatch() => _completion.PropagateFrom(_runtime.Route(_target, _method, _args, _fromRemote));
}

internal static class TaskCompletionSourceExtensions
{
    /// <summary>Completes <paramref name="completion"/> like <paramref name="task"/>, now or when it completes.</summary>
    public static void PropagateFrom<TResult>(this TaskCompletionSource<TResult> completion, Task<TResult> task)
    {
        if (task.IsCompleted)
            Complete(completion, task);
        else
            task.ContinueWith(static (t, state) => Complete((TaskCompletionSource<TResult>)state!, t), completion,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private static void Complete<TResult>(TaskCompletionSource<TResult> completion, Task<TResult> task)
    {
        if (task.IsCompletedSuccessfully)
            completion.TrySetResult(task.Result);
        else if (task.IsCanceled)
            completion.TrySetCanceled();
        else
            completion.TrySetException(task.Exception!.InnerExceptions);
    }
}
