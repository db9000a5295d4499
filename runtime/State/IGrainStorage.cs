namespace OrleansSync.Runtime.Storage;

/// <summary>The state of one grain as a storage provider sees it.</summary>
public interface IGrainState<TState>
{
    TState State { get; set; }

    string? ETag { get; set; }

    bool RecordExists { get; set; }
}

/// <summary>
/// Where a write comes from: the silo and the partition epoch the grain was activated with. Storage refuses writes
/// whose fence is no longer current, so a silo that lost its lease cannot overwrite the new owner's work.
/// </summary>
public readonly record struct PartitionFence(int Partition, string SiloId, long Epoch);

/// <summary>A grain state storage provider, registered as a keyed service under its name.</summary>
public interface IGrainStorage
{
    Task ReadStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState);

    /// <summary>Writes the state if its version still matches <see cref="IGrainState{TState}.ETag"/>, and advances the version.</summary>
    /// <exception cref="InconsistentStateException">The stored version differs.</exception>
    /// <exception cref="PartitionLeaseLostException">The fence is no longer current.</exception>
    Task WriteStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, PartitionFence fence);

    /// <summary>Deletes the record if its version still matches.</summary>
    Task ClearStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, PartitionFence fence);
}
