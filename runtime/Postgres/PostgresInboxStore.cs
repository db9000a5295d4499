using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Runtime.Postgres;

/// <summary>
/// The inbox in PostgreSQL. Appends are group-committed: appends arriving while a write is under way are written
/// together by the next one, in arrival order, in one transaction — so a thousand webhooks a second cost a few dozen
/// commits, and each caller still returns only once its own events are durable.
/// </summary>
internal sealed partial class PostgresInboxStore : IInboxStore, IAsyncDisposable
{
    public const string NotificationChannel = "orleanssync_inbox";

    private const int MaxEventsPerWrite = 2000;

    // One statement: reserve a range of sequences in each partition (locking the partitions in ascending order, so
    // concurrent writers cannot deadlock), number the events within their partitions, insert them, and answer which
    // were new.
    private const string AppendSql = """
        WITH input AS (
            SELECT * FROM unnest(@partitions, @tenant_ids, @sources, @event_ids, @payloads) WITH ORDINALITY
                AS e(partition, tenant_id, source, event_id, payload, ordinal)),
        counts AS (
            SELECT partition, count(*) AS n FROM input GROUP BY partition),
        reserved AS (
            INSERT INTO inbox_partitions (partition, next_sequence)
            SELECT partition, n + 1 FROM counts ORDER BY partition
            ON CONFLICT (partition) DO UPDATE SET next_sequence = inbox_partitions.next_sequence + EXCLUDED.next_sequence - 1
            RETURNING partition, next_sequence),
        numbered AS (
            SELECT i.*, r.next_sequence - c.n - 1 + row_number() OVER (PARTITION BY i.partition ORDER BY i.ordinal) AS sequence
            FROM input i JOIN reserved r USING (partition) JOIN counts c USING (partition)),
        inserted AS (
            INSERT INTO inbox_events (partition, sequence, tenant_id, source, event_id, payload, received_at)
            SELECT partition, sequence, tenant_id, source, event_id, payload::jsonb, @received_at FROM numbered ORDER BY ordinal
            ON CONFLICT (tenant_id, source, event_id) DO NOTHING
            RETURNING partition, sequence)
        SELECT n.ordinal FROM numbered n JOIN inserted i USING (partition, sequence)
        """;

    private const string NotifySql = $"SELECT pg_notify('{NotificationChannel}', @partitions_text)";

    // One index probe per partition, however long the backlog.
    private const string PartitionsWithPendingSql = """
        SELECT p FROM unnest(@partitions) AS p
        WHERE EXISTS (SELECT 1 FROM inbox_events WHERE partition = p AND status = 'pending')
        """;

    private const string ReadPendingSql = """
        SELECT partition, sequence, tenant_id, source, event_id, payload::text, received_at, attempts, next_attempt_at
        FROM inbox_events
        WHERE partition = @partition AND status = 'pending'
        ORDER BY sequence
        LIMIT @limit
        """;

    private const string MarkDeliveredSql = """
        UPDATE inbox_events SET status = 'done', processed_at = @now, next_attempt_at = NULL
        WHERE partition = @partition AND sequence = ANY(@sequences) AND status = 'pending'
        """;

    private const string MarkFailedSql = """
        UPDATE inbox_events
        SET attempts = @attempts, last_error = @error, next_attempt_at = @retry_at,
            status = CASE WHEN @retry_at IS NULL THEN 'dead' ELSE 'pending' END
        WHERE partition = @partition AND sequence = @sequence
        """;

    private const string PurgeSql = """
        DELETE FROM inbox_events
        WHERE (partition, sequence) IN (
            SELECT partition, sequence FROM inbox_events WHERE status = 'done' AND processed_at < @before LIMIT 10000)
        """;

    private const string DeadLettersSql = """
        SELECT partition, sequence, tenant_id, source, event_id, payload::text, received_at, attempts, last_error
        FROM inbox_events
        WHERE status = 'dead' AND (@tenant_id::text IS NULL OR tenant_id = @tenant_id)
        ORDER BY received_at DESC, partition, sequence
        OFFSET @skip LIMIT @take
        """;

    private const string ReplaySql = """
        UPDATE inbox_events SET status = 'pending', attempts = 0, next_attempt_at = NULL
        WHERE partition = @partition AND sequence = @sequence AND status = 'dead'
        """;

    private const string BacklogSql = """
        SELECT partition,
               count(*) FILTER (WHERE status = 'pending'),
               count(*) FILTER (WHERE status = 'dead'),
               min(received_at) FILTER (WHERE status = 'pending')
        FROM inbox_events
        WHERE status IN ('pending', 'dead')
        GROUP BY partition
        ORDER BY partition
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<PostgresInboxStore> _logger;
    private readonly Channel<AppendRequest> _appends = Channel.CreateUnbounded<AppendRequest>(new() { SingleReader = true });
    private readonly Task _writer;

    public PostgresInboxStore(NpgsqlDataSource dataSource, ILogger<PostgresInboxStore> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
        _writer = Task.Run(WriteAppendsAsync);
    }

    public async Task<bool[]> AppendAsync(IReadOnlyList<PartitionedEvent> events, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var request = new AppendRequest(events, receivedAt);
        if (!_appends.Writer.TryWrite(request))
            throw new ObjectDisposedException(nameof(PostgresInboxStore));
        return await request.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Takes every append waiting (up to a size), writes them in one transaction, and answers each caller.</summary>
    private async Task WriteAppendsAsync()
    {
        var batch = new List<AppendRequest>();
        while (await _appends.Reader.WaitToReadAsync())
        {
            batch.Clear();
            var events = 0;
            while (events < MaxEventsPerWrite && _appends.Reader.TryRead(out var request))
            {
                batch.Add(request);
                events += request.Events.Count;
            }

            try
            {
                await WriteAsync(batch);
            }
            catch (Exception) when (batch.Count > 1)
            {
                // One bad append must not fail its neighbours: write them one by one, so only it fails.
                foreach (var request in batch)
                    await WriteOneAsync(request);
            }
            catch (Exception exception)
            {
                batch[0].Completion.TrySetException(exception);
            }
        }
    }

    private async Task WriteOneAsync(AppendRequest request)
    {
        try
        {
            await WriteAsync([request]);
        }
        catch (Exception exception)
        {
            request.Completion.TrySetException(exception);
        }
    }

    private async Task WriteAsync(List<AppendRequest> batch)
    {
        var all = batch.SelectMany(r => r.Events).ToList();
        var receivedAt = batch[0].ReceivedAt;

        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlBatch(connection, transaction);

        var append = new NpgsqlBatchCommand(AppendSql);
        append.Parameters.AddWithValue("partitions", all.Select(e => e.Partition).ToArray());
        append.Parameters.AddWithValue("tenant_ids", all.Select(e => e.Event.TenantId).ToArray());
        append.Parameters.AddWithValue("sources", all.Select(e => e.Event.Source).ToArray());
        append.Parameters.AddWithValue("event_ids", all.Select(e => e.Event.EventId).ToArray());
        append.Parameters.AddWithValue("payloads", all.Select(e => e.Event.Payload).ToArray());
        append.Parameters.Add(new NpgsqlParameter("received_at", NpgsqlDbType.TimestampTz) { Value = receivedAt });
        command.BatchCommands.Add(append);

        // Other silos wake their pumps on this; it is delivered only if the transaction commits.
        var notify = new NpgsqlBatchCommand(NotifySql);
        notify.Parameters.AddWithValue("partitions_text", string.Join(',', all.Select(e => e.Partition).Distinct()));
        command.BatchCommands.Add(notify);

        var accepted = new bool[all.Count];
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                accepted[reader.GetInt64(0) - 1] = true;
        }

        await transaction.CommitAsync();

        var offset = 0;
        foreach (var request in batch)
        {
            request.Completion.TrySetResult(accepted[offset..(offset + request.Events.Count)]);
            offset += request.Events.Count;
        }
    }

    public async Task<IReadOnlyList<int>> PartitionsWithPendingAsync(IReadOnlyList<int> partitions, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(PartitionsWithPendingSql);
        command.Parameters.AddWithValue("partitions", partitions.ToArray());
        return await command.ReadListAsync(reader => reader.GetInt32(0), cancellationToken);
    }

    public async Task<IReadOnlyList<InboxMessage>> ReadPendingAsync(int partition, int limit, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(ReadPendingSql);
        command.Parameters.AddWithValue("partition", partition);
        command.Parameters.AddWithValue("limit", limit);
        return await command.ReadListAsync(
            reader => new InboxMessage(
                new InboxEventId(reader.GetInt32(0), reader.GetInt64(1)),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8)),
            cancellationToken);
    }

    public async Task MarkDeliveredAsync(int partition, IReadOnlyList<long> sequences, DateTimeOffset now)
    {
        await using var command = _dataSource.CreateCommand(MarkDeliveredSql);
        command.Parameters.AddWithValue("partition", partition);
        command.Parameters.AddWithValue("sequences", sequences.ToArray());
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now });
        await command.ExecuteNonQueryAsync();
    }

    public async Task MarkFailedAsync(InboxEventId id, int attempts, string error, DateTimeOffset? retryAt, DateTimeOffset now)
    {
        await using var command = _dataSource.CreateCommand(MarkFailedSql);
        command.Parameters.AddWithValue("partition", id.Partition);
        command.Parameters.AddWithValue("sequence", id.Sequence);
        command.Parameters.AddWithValue("attempts", attempts);
        command.Parameters.AddWithValue("error", error);
        command.Parameters.Add(new NpgsqlParameter("retry_at", NpgsqlDbType.TimestampTz) { Value = retryAt.HasValue ? retryAt.Value : DBNull.Value });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<int> PurgeDeliveredAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var purged = 0;
        int deleted;
        do
        {
            await using var command = _dataSource.CreateCommand(PurgeSql);
            command.Parameters.Add(new NpgsqlParameter("before", NpgsqlDbType.TimestampTz) { Value = before });
            deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            purged += deleted;
        }
        while (deleted > 0);

        return purged;
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? tenantId, int skip, int take, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(DeadLettersSql);
        command.Parameters.Add(new NpgsqlParameter("tenant_id", NpgsqlDbType.Text) { Value = (object?)tenantId ?? DBNull.Value });
        command.Parameters.AddWithValue("skip", skip);
        command.Parameters.AddWithValue("take", take);
        return await command.ReadListAsync(
            reader => new DeadLetter(
                new InboxEventId(reader.GetInt32(0), reader.GetInt64(1)),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetString(8)),
            cancellationToken);
    }

    public async Task<bool> ReplayAsync(InboxEventId id, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var replay = new NpgsqlCommand(ReplaySql, connection, transaction);
        replay.Parameters.AddWithValue("partition", id.Partition);
        replay.Parameters.AddWithValue("sequence", id.Sequence);
        if (await replay.ExecuteNonQueryAsync(cancellationToken) != 1)
            return false;

        await using var notify = new NpgsqlCommand(NotifySql, connection, transaction);
        notify.Parameters.AddWithValue("partitions_text", id.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await notify.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogReplayed(id);
        return true;
    }

    public async Task<IReadOnlyList<InboxBacklog>> ReadBacklogAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(BacklogSql);
        return await command.ReadListAsync(
            reader => new InboxBacklog(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)),
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _appends.Writer.TryComplete();
        await _writer;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbox event {Id} was put back in line by an operator")]
    private partial void LogReplayed(InboxEventId id);

    private sealed record AppendRequest(IReadOnlyList<PartitionedEvent> Events, DateTimeOffset ReceivedAt)
    {
        public TaskCompletionSource<bool[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
