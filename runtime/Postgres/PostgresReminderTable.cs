using Npgsql;
using NpgsqlTypes;
using OrleansSync.Runtime.Reminders;
using OrleansSync.Runtime.Storage;

namespace OrleansSync.Runtime.Postgres;

/// <summary>Durable reminders in PostgreSQL. Due reminders are read through the (partition, next_due_at) index.</summary>
internal sealed class PostgresReminderTable(NpgsqlDataSource dataSource, TimeProvider time) : IReminderTable
{
    private const string Columns = "grain_type, grain_key, reminder_name, partition, first_tick_at, period, next_due_at";

    private const string ReadGrainSql = $"SELECT {Columns} FROM reminders WHERE grain_type = @type AND grain_key = @key";

    private const string ReadOneSql = $"SELECT {Columns} FROM reminders WHERE grain_type = @type AND grain_key = @key AND reminder_name = @name";

    private const string UpsertSql = $"""
        WITH {LeaseFence.Cte}
        INSERT INTO reminders ({Columns})
        SELECT @type, @key, @name, @partition, @first_tick_at, @period, @next_due_at
        WHERE EXISTS (SELECT 1 FROM fence)
        ON CONFLICT (grain_type, grain_key, reminder_name) DO UPDATE
            SET partition = EXCLUDED.partition, first_tick_at = EXCLUDED.first_tick_at,
                period = EXCLUDED.period, next_due_at = EXCLUDED.next_due_at
        RETURNING 1
        """;

    private const string RemoveSql = $"""
        WITH {LeaseFence.Cte},
        removed AS (
            DELETE FROM reminders
            WHERE grain_type = @type AND grain_key = @key AND reminder_name = @name AND EXISTS (SELECT 1 FROM fence)
            RETURNING 1)
        SELECT EXISTS (SELECT 1 FROM removed), EXISTS (SELECT 1 FROM fence)
        """;

    // One index range per owned partition, then the earliest first.
    private const string ReadDueSql = $"""
        SELECT {Columns} FROM reminders
        WHERE partition = ANY(@partitions) AND next_due_at <= @due_by
        ORDER BY next_due_at
        LIMIT @limit
        """;

    private const string AdvanceSql = $"""
        WITH {LeaseFence.Cte}
        UPDATE reminders SET next_due_at = @next_due_at
        WHERE grain_type = @type AND grain_key = @key AND reminder_name = @name AND next_due_at = @previous_due_at
          AND EXISTS (SELECT 1 FROM fence)
        """;

    // For operators: counted in the database; the late and the soon are ranges of the due-time index.
    private const string CountSql = """
        SELECT count(*),
               count(*) FILTER (WHERE next_due_at < @late_before),
               count(*) FILTER (WHERE next_due_at >= @late_before AND next_due_at < @soon_before)
        FROM reminders
        """;

    // A page in due order through reminders_by_due (0007), ties broken by the key, so that pages never overlap.
    private const string PageSql = $"""
        SELECT {Columns} FROM reminders
        WHERE next_due_at >= @from AND next_due_at < @until
        ORDER BY next_due_at, grain_type, grain_key, reminder_name
        LIMIT @take OFFSET @skip
        """;

    public async Task<IReadOnlyList<ReminderEntry>> ReadAsync(GrainId grainId)
    {
        await using var command = dataSource.CreateCommand(ReadGrainSql);
        AddKey(command, grainId);
        return await ReadEntriesAsync(command);
    }

    public async Task<ReminderEntry?> ReadAsync(GrainId grainId, string name)
    {
        await using var command = dataSource.CreateCommand(ReadOneSql);
        AddKey(command, grainId, name);
        return (await ReadEntriesAsync(command)).FirstOrDefault();
    }

    public async Task UpsertAsync(ReminderEntry entry, PartitionFence fence)
    {
        await using var command = dataSource.CreateCommand(UpsertSql);
        AddKey(command, entry.GrainId, entry.Name);
        command.Parameters.AddWithValue("partition", entry.Partition);
        command.Parameters.Add(new NpgsqlParameter("first_tick_at", NpgsqlDbType.TimestampTz) { Value = entry.FirstTickTime });
        command.Parameters.Add(new NpgsqlParameter("period", NpgsqlDbType.Interval) { Value = entry.Period });
        command.Parameters.Add(new NpgsqlParameter("next_due_at", NpgsqlDbType.TimestampTz) { Value = entry.NextDue });
        LeaseFence.AddParameters(command, fence, time.GetUtcNow());
        if (await command.ExecuteScalarAsync() is null)
            throw PartitionLeaseLostException.For(fence, $"reminder {entry.Name} of {entry.GrainId} was not registered");
    }

    public async Task<bool> RemoveAsync(GrainId grainId, string name, PartitionFence fence)
    {
        await using var command = dataSource.CreateCommand(RemoveSql);
        AddKey(command, grainId, name);
        LeaseFence.AddParameters(command, fence, time.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        if (!reader.GetBoolean(1))
            throw PartitionLeaseLostException.For(fence, $"reminder {name} of {grainId} was not removed");
        return reader.GetBoolean(0);
    }

    public async Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(IReadOnlyList<int> partitions, DateTimeOffset dueBy, int limit)
    {
        await using var command = dataSource.CreateCommand(ReadDueSql);
        command.Parameters.AddWithValue("partitions", partitions.ToArray());
        command.Parameters.Add(new NpgsqlParameter("due_by", NpgsqlDbType.TimestampTz) { Value = dueBy });
        command.Parameters.AddWithValue("limit", limit);
        return await ReadEntriesAsync(command);
    }

    public async Task<bool> TryAdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, PartitionFence fence)
    {
        await using var command = dataSource.CreateCommand(AdvanceSql);
        AddKey(command, entry.GrainId, entry.Name);
        command.Parameters.Add(new NpgsqlParameter("next_due_at", NpgsqlDbType.TimestampTz) { Value = nextDue });
        command.Parameters.Add(new NpgsqlParameter("previous_due_at", NpgsqlDbType.TimestampTz) { Value = entry.NextDue });
        LeaseFence.AddParameters(command, fence, time.GetUtcNow());
        return await command.ExecuteNonQueryAsync() == 1;
    }

    public async Task<ReminderCounts> CountAsync(DateTimeOffset lateBefore, DateTimeOffset dueSoonBefore, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(CountSql);
        command.Parameters.Add(new NpgsqlParameter("late_before", NpgsqlDbType.TimestampTz) { Value = lateBefore });
        command.Parameters.Add(new NpgsqlParameter("soon_before", NpgsqlDbType.TimestampTz) { Value = dueSoonBefore });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ReminderCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    public async Task<IReadOnlyList<ReminderEntry>> ReadPageAsync(ReminderPage page, CancellationToken cancellationToken = default)
    {
        var (from, until) = page.Filter switch
        {
            ReminderFilter.Late => (DateTimeOffset.MinValue, page.LateBefore),
            ReminderFilter.DueSoon => (page.LateBefore, page.DueSoonBefore),
            _ => (DateTimeOffset.MinValue, DateTimeOffset.MaxValue),
        };
        await using var command = dataSource.CreateCommand(PageSql);
        command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from });
        command.Parameters.Add(new NpgsqlParameter("until", NpgsqlDbType.TimestampTz) { Value = until });
        command.Parameters.AddWithValue("take", page.Take);
        command.Parameters.AddWithValue("skip", page.Skip);
        return await ReadEntriesAsync(command, cancellationToken);
    }

    private static void AddKey(NpgsqlCommand command, GrainId grainId, string? name = null)
    {
        command.Parameters.AddWithValue("type", grainId.Type.Value);
        command.Parameters.AddWithValue("key", grainId.Key);
        if (name is not null)
            command.Parameters.AddWithValue("name", name);
    }

    private static async Task<IReadOnlyList<ReminderEntry>> ReadEntriesAsync(NpgsqlCommand command, CancellationToken cancellationToken = default)
        => await command.ReadListAsync(
            reader => new ReminderEntry(
                new GrainId(new GrainType(reader.GetString(0)), reader.GetString(1)),
                reader.GetString(2),
                reader.GetInt32(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetFieldValue<TimeSpan>(5),
                reader.GetFieldValue<DateTimeOffset>(6)),
            cancellationToken);
}
