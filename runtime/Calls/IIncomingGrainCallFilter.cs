namespace OrleansSync.Runtime;

/// <summary>
/// Runs around every call a grain receives on this silo — inside the grain's turn — in registration order.
/// Used for metrics; a filter must call <see cref="IIncomingGrainCallContext.Invoke"/> exactly once.
/// </summary>
public interface IIncomingGrainCallFilter
{
    Task Invoke(IIncomingGrainCallContext context);

    /// <summary>
    /// False while the filter has nothing to do (the dashboard's metrics, while nobody watches). When no filter is
    /// active a call skips the filters altogether: no context is made for it, so an idle filter costs the call only
    /// this read.
    /// </summary>
    bool IsActive => true;
}

public interface IIncomingGrainCallContext
{
    /// <summary>The grain object receiving the call.</summary>
    Grain Grain { get; }

    GrainId TargetId { get; }

    /// <summary>The interface method being called.</summary>
    GrainMethod Method { get; }

    /// <summary>The call's result, once <see cref="Invoke"/> has completed.</summary>
    object? Result { get; }

    /// <summary>Runs the next filter, or the grain method.</summary>
    Task Invoke();
}
