using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Cluster;

namespace OrleansSync.Runtime.Storage;

/// <summary>
/// Grain state in memory, for the single-process default. It follows the durable provider's rules — states kept
/// as JSON (so a grain never shares an object with storage, and a state that works here serializes in PostgreSQL
/// too), versions checked, writes fenced by the partition lease.
/// </summary>
internal sealed class MemoryGrainStorage(IOptions<GrainSerializationOptions> serialization, InMemoryPartitionLeaseTable leases, TimeProvider time) : IGrainStorage
{
    private readonly Dictionary<(string Type, string Key, string State), Record> _records = [];
    private readonly Lock _lock = new();
    private readonly JsonSerializerOptions _json = serialization.Value.JsonSerializerOptions;

    public Task ReadStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState)
    {
        Record? record;
        lock (_lock)
            _records.TryGetValue(KeyOf(stateName, grainId), out record);

        if (record is null)
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        else
        {
            grainState.State = JsonSerializer.Deserialize<TState>(record.Json, _json)!;
            grainState.ETag = record.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, PartitionFence fence)
    {
        var json = JsonSerializer.Serialize(grainState.State, _json);
        lock (_lock)
        {
            var key = KeyOf(stateName, grainId);
            var stored = CheckWritable(key, grainState.ETag, fence, stateName, grainId);
            var version = (stored?.Version ?? 0) + 1;
            _records[key] = new Record(json, version);
            grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task ClearStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, PartitionFence fence)
    {
        lock (_lock)
        {
            var key = KeyOf(stateName, grainId);
            CheckWritable(key, grainState.ETag, fence, stateName, grainId);
            _records.Remove(key);
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    private Record? CheckWritable((string, string, string) key, string? etag, PartitionFence fence, string stateName, GrainId grainId)
    {
        leases.EnsureHolds(fence, time.GetUtcNow(), $"state '{stateName}' of {grainId} was not written");

        _records.TryGetValue(key, out var stored);
        var storedEtag = stored?.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (storedEtag != etag)
            throw new InconsistentStateException($"State '{stateName}' of {grainId} changed since it was read (stored version {storedEtag ?? "none"}, read version {etag ?? "none"}).", storedEtag, etag);
        return stored;
    }

    private static (string, string, string) KeyOf(string stateName, GrainId grainId) => (grainId.Type.Value, grainId.Key, stateName);

    private sealed record Record(string Json, long Version);
}
