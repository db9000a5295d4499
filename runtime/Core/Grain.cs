using OrleansSync.Runtime.Activation;
using OrleansSync.Runtime.Reminders;

namespace OrleansSync.Runtime;

/// <summary>
/// The base class of every grain. One activation per grain exists in the cluster, on the silo that owns the grain's
/// partition; its calls run one at a time, in arrival order, each from start to finish before the next begins
/// (non-reentrant turns).
/// </summary>
/// <remarks>
/// A turn is the whole call, awaits included, so grain code needs no locks and no <c>ConfigureAwait</c>: the runtime
/// installs no synchronization context, and no other call runs until this one's task completes. Work a grain starts
/// and leaves running after its call returns is outside every turn, and so unprotected: don't.
/// </remarks>
public abstract class Grain : IGrain
{
    [ThreadStatic]
    private static ActivationData? _constructing;

    private readonly ActivationData _activation;

    protected Grain()
    {
        _activation = _constructing
            ?? throw new InvalidOperationException($"{GetType().Name} is a grain: get it with IGrainFactory.GetGrain, do not construct it.");
    }

    /// <summary>This grain's identity.</summary>
    public GrainId GrainId => _activation.GrainId;

    /// <summary>The grain's key; it starts with the tenant id.</summary>
    public string GetPrimaryKeyString() => _activation.GrainId.Key;

    /// <summary>References to other grains. Calls to grains of the same tenant stay on this silo.</summary>
    protected IGrainFactory GrainFactory => _activation.Runtime.GrainFactory;

    /// <summary>Runs once, after the grain's persistent state has been read and before its first call.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once, after the last call. Writes here are refused when the reason is <see cref="DeactivationReasonCode.PartitionLost"/>.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates the grain once the current call ends; the next call activates it afresh.</summary>
    protected void DeactivateOnIdle() => _activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle was called."));

    /// <summary>
    /// Registers a durable reminder, or changes an existing one of the same name. It first fires after
    /// <paramref name="dueTime"/>, then every <paramref name="period"/>, and activates the grain when it is not active.
    /// The grain must implement <see cref="IRemindable"/>.
    /// </summary>
    protected Task<IGrainReminder> RegisterOrUpdateReminder(string reminderName, TimeSpan dueTime, TimeSpan period)
        => _activation.Runtime.Reminders.RegisterOrUpdateAsync(_activation, reminderName, dueTime, period);

    protected Task UnregisterReminder(IGrainReminder reminder)
        => _activation.Runtime.Reminders.UnregisterAsync(_activation, reminder.ReminderName);

    protected Task<IGrainReminder?> GetReminder(string reminderName)
        => _activation.Runtime.Reminders.GetAsync(_activation, reminderName);

    protected Task<IReadOnlyList<IGrainReminder>> GetReminders()
        => _activation.Runtime.Reminders.GetAllAsync(_activation);

    internal static Grain Construct(ActivationData activation, Func<Grain> construct)
    {
        var previous = _constructing;
        _constructing = activation;
        try
        {
            return construct();
        }
        finally
        {
            _constructing = previous;
        }
    }
}
