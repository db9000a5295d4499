using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OrleansSync.Runtime.Storage;

namespace OrleansSync.Runtime.Postgres;

/// <summary>
/// Grain state in PostgreSQL: one row per (grain type, key, state name), the state as jsonb, and a version. The first
/// write inserts (<c>ON CONFLICT DO NOTHING</c>: two first writers cannot both win); later writes update only the
/// version they read; every write is fenced by the partition lease. Each write is one statement and one round trip,
/// which also reports why it was refused.
/// </summary>
internal sealed class PostgresGrainStorage(NpgsqlDataSource dataSource, IOptions<GrainSerializationOptions> serialization, TimeProvider time) : IGrainStorage
{
    private const string ReadSql = """
        SELECT payload, version FROM grain_state
        WHERE grain_type = @type AND grain_key = @key AND state_name = @state
        """;

    // Each write statement ends with the same three answers: the new version (null when nothing was written), whether
    // the fence held, and the version in storage as the statement found it.
    private const string Outcome = """
        SELECT (SELECT version FROM written),
               EXISTS (SELECT 1 FROM fence),
               (SELECT version FROM grain_state WHERE grain_type = @type AND grain_key = @key AND state_name = @state)
        """;

    private const string InsertSql = $"""
        WITH {LeaseFence.Cte},
        written AS (
            INSERT INTO grain_state (grain_type, grain_key, state_name, payload, version, written_by, written_at)
            SELECT @type, @key, @state, @payload, 1, @fence_silo, @fence_now
            WHERE EXISTS (SELECT 1 FROM fence)
            ON CONFLICT (grain_type, grain_key, state_name) DO NOTHING
            RETURNING version)
        {Outcome}
        """;

    private const string UpdateSql = $"""
        WITH {LeaseFence.Cte},
        written AS (
            UPDATE grain_state SET payload = @payload, version = version + 1, written_by = @fence_silo, written_at = @fence_now
            WHERE grain_type = @type AND grain_key = @key AND state_name = @state AND version = @version
              AND EXISTS (SELECT 1 FROM fence)
            RETURNING version)
        {Outcome}
        """;

    private const string DeleteSql = $"""
        WITH {LeaseFence.Cte},
        written AS (
            DELETE FROM grain_state
            WHERE grain_type = @type AND grain_key = @key AND state_name = @state AND version = @version
              AND EXISTS (SELECT 1 FROM fence)
            RETURNING 0::bigint AS version)
        {Outcome}
        """;

    private readonly JsonSerializerOptions _json = serialization.Value.JsonSerializerOptions;

    public async Task ReadStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState)
    {
        await using var command = dataSource.CreateCommand(ReadSql);
        AddKey(command, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync();
        if (await reader.ReadAsync())
        {
            grainState.State = JsonSerializer.Deserialize<TState>(reader.GetString(0), _json)!;
            grainState.ETag = reader.GetInt64(1).ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, PartitionFence fence)
    {
        var etag = grainState.ETag;
        await using var command = dataSource.CreateCommand(etag is null ? InsertSql : UpdateSql);
        AddKey(command, stateName, grainId);
        command.Parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(grainState.State, _json) });
        if (etag is not null)
            command.Parameters.AddWithValue("version", ParseVersion(etag));
        LeaseFence.AddParameters(command, fence, time.GetUtcNow());

        var (written, _) = await ExecuteAsync(command, fence, stateName, grainId, etag, "written");
        grainState.ETag = written!.Value.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, PartitionFence fence)
    {
        var etag = grainState.ETag;
        await using var command = dataSource.CreateCommand(DeleteSql);
        AddKey(command, stateName, grainId);
        // With no version read there is nothing to delete; the outcome still says whether someone wrote meanwhile.
        command.Parameters.AddWithValue("version", etag is null ? -1L : ParseVersion(etag));
        LeaseFence.AddParameters(command, fence, time.GetUtcNow());

        await ExecuteAsync(command, fence, stateName, grainId, etag, "cleared", nothingToDoIsFine: etag is null);
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private static async Task<(long? Written, long? Stored)> ExecuteAsync(NpgsqlCommand command, PartitionFence fence, string stateName, GrainId grainId, string? etag, string verb, bool nothingToDoIsFine = false)
    {
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        long? written = reader.IsDBNull(0) ? null : reader.GetInt64(0);
        var fenceHeld = reader.GetBoolean(1);
        long? stored = reader.IsDBNull(2) ? null : reader.GetInt64(2);

        if (written is not null)
            return (written, stored);
        if (!fenceHeld)
            throw PartitionLeaseLostException.For(fence, $"state '{stateName}' of {grainId} was not {verb}");
        if (nothingToDoIsFine && stored is null)
            return (null, null);

        var storedEtag = stored?.ToString(CultureInfo.InvariantCulture);
        throw new InconsistentStateException(
            $"State '{stateName}' of {grainId} changed since it was read (stored version {storedEtag ?? "none"}, read version {etag ?? "none"}); it was not {verb}.",
            storedEtag, etag);
    }

    private static void AddKey(NpgsqlCommand command, string stateName, GrainId grainId)
    {
        command.Parameters.AddWithValue("type", grainId.Type.Value);
        command.Parameters.AddWithValue("key", grainId.Key);
        command.Parameters.AddWithValue("state", stateName);
    }

    private static long ParseVersion(string etag)
        => long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new InconsistentStateException($"'{etag}' is not an etag this storage wrote.", null, etag);
}
