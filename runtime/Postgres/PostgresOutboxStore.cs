using Npgsql;
using NpgsqlTypes;
using OrleansSync.Runtime.Outbox;

namespace OrleansSync.Runtime.Postgres;

/// <summary>The outbox in PostgreSQL: every statement of the feature, in one place.</summary>
internal sealed class PostgresOutboxStore(NpgsqlDataSource dataSource, TimeProvider time) : IOutboxStore
{
    // Any fixed number will do, as long as every node uses the same one (and it is not the migrator's): "OSOb".
    private const long AppendLockKey = 0x4F53_4F62;

    // Held from before the ids are drawn until the commit, so that appends commit in id order (see 0006_outbox.sql).
    // Appends are rare — an invoice's status changes a few times in its life — and short, so one lock costs nothing.
    private const string AppendLockSql = "SELECT pg_advisory_xact_lock(@lock_key)";

    private const string AppendSql = """
        INSERT INTO outbox_events (tenant_id, partition, topic, key, payload, recorded_at)
        SELECT tenant_id, partition, topic, key, payload::jsonb, @recorded_at
        FROM unnest(@tenant_ids, @partitions, @topics, @keys, @payloads) WITH ORDINALITY
            AS m(tenant_id, partition, topic, key, payload, ordinal)
        ORDER BY ordinal
        ON CONFLICT (key) DO NOTHING
        RETURNING key
        """;

    // One index probe per partition, however long the backlog.
    private const string PartitionsWithPendingSql = """
        SELECT p FROM unnest(@partitions) AS p
        WHERE EXISTS (SELECT 1 FROM outbox_events WHERE partition = p AND status = 'pending')
        """;

    private const string Columns = "id, tenant_id, topic, key, payload::text, recorded_at, published_at, status, attempts, last_error";

    private const string ReadPendingSql = $"""
        SELECT {Columns}, partition, next_attempt_at
        FROM outbox_events
        WHERE partition = @partition AND status = 'pending'
        ORDER BY id
        LIMIT @limit
        """;

    private const string MarkPublishedSql = """
        UPDATE outbox_events e
        SET status = 'published', published_at = p.published_at, next_attempt_at = NULL
        FROM unnest(@ids, @published_at) AS p(id, published_at)
        WHERE e.id = p.id AND e.status = 'pending'
        """;

    private const string MarkFailedSql = """
        UPDATE outbox_events
        SET attempts = @attempts, last_error = @error, next_attempt_at = @retry_at,
            status = CASE WHEN @retry_at IS NULL THEN 'failed' ELSE 'pending' END,
            failed_at = CASE WHEN @retry_at IS NULL THEN @now END
        WHERE id = @id AND status = 'pending'
        """;

    private const string PurgeSql = """
        DELETE FROM outbox_events
        WHERE id IN (
            (SELECT id FROM outbox_events WHERE status = 'published' AND published_at < @before LIMIT 10000)
            UNION ALL
            (SELECT id FROM outbox_events WHERE status = 'failed' AND failed_at < @before LIMIT 10000))
        """;

    private const string ReadNewestSql = $"""
        SELECT {Columns}
        FROM outbox_events
        WHERE (@tenant_id::text IS NULL OR tenant_id = @tenant_id) AND (@topic::text IS NULL OR topic = @topic)
        ORDER BY id DESC
        LIMIT @take
        """;

    private const string ReadAfterSql = $"""
        SELECT {Columns}
        FROM outbox_events
        WHERE id > @after_id
          AND (@tenant_id::text IS NULL OR tenant_id = @tenant_id) AND (@topic::text IS NULL OR topic = @topic)
        ORDER BY id
        LIMIT @take
        """;

    // Each count from its own partial index.
    private const string BacklogSql = """
        SELECT (SELECT count(*) FROM outbox_events WHERE status = 'pending'),
               (SELECT min(recorded_at) FROM outbox_events WHERE status = 'pending'),
               (SELECT count(*) FROM outbox_events WHERE status = 'published' AND published_at >= @since),
               (SELECT count(*) FROM outbox_events WHERE status = 'failed')
        """;

    public async Task<bool[]> AppendAsync(IReadOnlyList<PartitionedMessage> messages, DateTimeOffset recordedAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);

        var lockCommand = new NpgsqlBatchCommand(AppendLockSql);
        lockCommand.Parameters.AddWithValue("lock_key", AppendLockKey);
        batch.BatchCommands.Add(lockCommand);

        var append = new NpgsqlBatchCommand(AppendSql);
        append.Parameters.AddWithValue("tenant_ids", messages.Select(m => m.Message.TenantId).ToArray());
        append.Parameters.AddWithValue("partitions", messages.Select(m => m.Partition).ToArray());
        append.Parameters.AddWithValue("topics", messages.Select(m => m.Message.Topic).ToArray());
        append.Parameters.AddWithValue("keys", messages.Select(m => m.Message.Key).ToArray());
        append.Parameters.AddWithValue("payloads", messages.Select(m => m.Message.Payload).ToArray());
        append.Parameters.Add(new NpgsqlParameter("recorded_at", NpgsqlDbType.TimestampTz) { Value = recordedAt });
        batch.BatchCommands.Add(append);

        var inserted = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            await reader.NextResultAsync(cancellationToken); // past the lock's empty answer
            while (await reader.ReadAsync(cancellationToken))
                inserted.Add(reader.GetString(0));
        }

        await transaction.CommitAsync(cancellationToken);

        // A key listed twice was inserted once: the first time it is listed.
        var accepted = new bool[messages.Count];
        for (var i = 0; i < messages.Count; i++)
            accepted[i] = inserted.Remove(messages[i].Message.Key);
        return accepted;
    }

    public async Task<IReadOnlyList<int>> PartitionsWithPendingAsync(IReadOnlyList<int> partitions, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(PartitionsWithPendingSql);
        command.Parameters.AddWithValue("partitions", partitions.ToArray());
        return await command.ReadListAsync(reader => reader.GetInt32(0), cancellationToken);
    }

    public async Task<IReadOnlyList<PendingOutboxEvent>> ReadPendingAsync(int partition, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ReadPendingSql);
        command.Parameters.AddWithValue("partition", partition);
        command.Parameters.AddWithValue("limit", limit);
        return await command.ReadListAsync(
            reader => new PendingOutboxEvent(ReadEvent(reader), reader.GetInt32(10), reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11)),
            cancellationToken);
    }

    public async Task MarkPublishedAsync(IReadOnlyList<PublishedMark> published)
    {
        await using var command = dataSource.CreateCommand(MarkPublishedSql);
        command.Parameters.AddWithValue("ids", published.Select(p => p.Id).ToArray());
        command.Parameters.Add(new NpgsqlParameter("published_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = published.Select(p => p.PublishedAt).ToArray() });
        await command.ExecuteNonQueryAsync();
    }

    public async Task MarkFailedAsync(long id, int attempts, string error, DateTimeOffset? retryAt, DateTimeOffset now)
    {
        await using var command = dataSource.CreateCommand(MarkFailedSql);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("attempts", attempts);
        command.Parameters.AddWithValue("error", error);
        command.Parameters.Add(new NpgsqlParameter("retry_at", NpgsqlDbType.TimestampTz) { Value = retryAt.HasValue ? retryAt.Value : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var purged = 0;
        int deleted;
        do
        {
            await using var command = dataSource.CreateCommand(PurgeSql);
            command.Parameters.Add(new NpgsqlParameter("before", NpgsqlDbType.TimestampTz) { Value = before });
            deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            purged += deleted;
        }
        while (deleted > 0);

        return purged;
    }

    public async Task<IReadOnlyList<PublishedEvent>> ReadAsync(string? tenantId, string? topic, long? afterId, int take, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(take, 1);
        await using var command = dataSource.CreateCommand(afterId is null ? ReadNewestSql : ReadAfterSql);
        command.Parameters.Add(new NpgsqlParameter("tenant_id", NpgsqlDbType.Text) { Value = (object?)tenantId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("topic", NpgsqlDbType.Text) { Value = (object?)topic ?? DBNull.Value });
        command.Parameters.AddWithValue("take", take);
        if (afterId is { } after)
            command.Parameters.AddWithValue("after_id", after);
        return await command.ReadListAsync(ReadEvent, cancellationToken);
    }

    public async Task<OutboxBacklog> ReadBacklogAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(BacklogSql);
        command.Parameters.Add(new NpgsqlParameter("since", NpgsqlDbType.TimestampTz) { Value = time.GetUtcNow() - OutboxBacklogWindow.PublishedWithin });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new OutboxBacklog(
            reader.GetInt64(0),
            reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1),
            reader.GetInt64(2),
            reader.GetInt64(3));
    }

    /// <summary>An event from the first columns of <see cref="Columns"/>.</summary>
    private static PublishedEvent ReadEvent(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetFieldValue<DateTimeOffset>(5),
        reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6))
    {
        Status = reader.GetString(7) switch
        {
            "published" => OutboxEventStatus.Published,
            "failed" => OutboxEventStatus.Failed,
            _ => OutboxEventStatus.Pending,
        },
        Attempts = reader.GetInt32(8),
        LastError = reader.IsDBNull(9) ? null : reader.GetString(9),
    };
}
