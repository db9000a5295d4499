namespace OrleansSync.Runtime;

/// <summary>
/// A grain's named, durable state. The runtime reads it before <see cref="Grain.OnActivateAsync"/>; the grain writes
/// it when it decides to. Every write checks the version it read (<see cref="Etag"/>): a stale write raises
/// <see cref="InconsistentStateException"/> instead of overwriting someone else's change.
/// </summary>
public interface IPersistentState<TState>
{
    TState State { get; set; }

    /// <summary>The version last read or written; <c>null</c> when there is no record.</summary>
    string? Etag { get; }

    bool RecordExists { get; }

    Task ReadStateAsync();

    Task WriteStateAsync();

    /// <summary>Deletes the record and resets <see cref="State"/> to a new value.</summary>
    Task ClearStateAsync();
}

/// <summary>Marks a grain constructor parameter of type <see cref="IPersistentState{TState}"/>.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    public const string DefaultStorageName = "Default";

    public string StateName { get; } = stateName;

    public string StorageName { get; } = storageName ?? DefaultStorageName;
}
