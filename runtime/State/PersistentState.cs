using OrleansSync.Runtime.Activation;
using OrleansSync.Runtime.Storage;

namespace OrleansSync.Runtime.State;

/// <summary>Something an activation reads before <see cref="Grain.OnActivateAsync"/>.</summary>
internal interface IActivationState
{
    Task ReadStateAsync();
}

/// <summary>The runtime's <see cref="IPersistentState{TState}"/>: a state value, its version, and the provider that keeps it.</summary>
internal sealed class PersistentState<TState> : IPersistentState<TState>, IGrainState<TState>, IActivationState
{
    private readonly string _stateName;
    private readonly ActivationData _activation;
    private readonly IGrainStorage _storage;

    public PersistentState(string stateName, ActivationData activation, IGrainStorage storage)
    {
        _stateName = stateName;
        _activation = activation;
        _storage = storage;
        State = CreateEmpty();
    }

    public TState State { get; set; }

    public string? Etag { get; private set; }

    public bool RecordExists { get; private set; }

    string? IGrainState<TState>.ETag { get => Etag; set => Etag = value; }

    bool IGrainState<TState>.RecordExists { get => RecordExists; set => RecordExists = value; }

    public Task ReadStateAsync() => _storage.ReadStateAsync(_stateName, _activation.GrainId, this);

    public Task WriteStateAsync() => _storage.WriteStateAsync(_stateName, _activation.GrainId, this, _activation.Fence);

    public async Task ClearStateAsync()
    {
        await _storage.ClearStateAsync(_stateName, _activation.GrainId, this, _activation.Fence);
        State = CreateEmpty();
    }

    /// <summary>A fresh state value; state types need a public parameterless constructor (checked when grains are registered).</summary>
    internal static TState CreateEmpty() => Activator.CreateInstance<TState>();
}
