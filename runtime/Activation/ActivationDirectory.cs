using System.Collections.Concurrent;

namespace OrleansSync.Runtime.Activation;

/// <summary>The activations living on this silo, by grain id.</summary>
internal sealed class ActivationDirectory(SiloRuntime runtime)
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private int _activeCount;

    /// <summary>Activations that finished activating and have not been deactivated.</summary>
    public int Count => Volatile.Read(ref _activeCount);

    public ActivationData GetOrCreate(GrainId grainId, int partition)
        => _activations.TryGetValue(grainId, out var activation)
            ? activation
            : _activations.GetOrAdd(grainId, static (id, state) => new ActivationData(state.runtime, id, state.runtime.Classes.Get(id.Type), state.partition), (runtime, partition));

    public void Remove(ActivationData activation) => _activations.TryRemove(KeyValuePair.Create(activation.GrainId, activation));

    public void OnActivated(ActivationData activation) => Interlocked.Increment(ref _activeCount);

    public void OnDeactivated(ActivationData activation) => Interlocked.Decrement(ref _activeCount);

    public ICollection<ActivationData> Snapshot() => _activations.Values;

    /// <summary>Deactivates every activation that matches, and waits until they are gone (or abandoned, see <see cref="ActivationData.DeactivateWithinTimeoutAsync"/>).</summary>
    public Task DeactivateAsync(Func<ActivationData, bool> which, DeactivationReason reason)
        => Task.WhenAll(_activations.Values.Where(which).Select(a => a.DeactivateWithinTimeoutAsync(reason)).ToList());
}
