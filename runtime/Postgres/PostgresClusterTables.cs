using Npgsql;
using NpgsqlTypes;
using OrleansSync.Runtime.Cluster;

namespace OrleansSync.Runtime.Postgres;

/// <summary>Silo membership in PostgreSQL.</summary>
internal sealed class PostgresMembershipTable(NpgsqlDataSource dataSource) : IMembershipTable
{
    private const string UpsertSql = """
        INSERT INTO silos (silo_id, address, host_name, status, started_at, last_heartbeat, partitions_owned, activations)
        VALUES (@silo_id, @address, @host_name, @status, @started_at, @last_heartbeat, @partitions_owned, @activations)
        ON CONFLICT (silo_id) DO UPDATE
            SET address = EXCLUDED.address, host_name = EXCLUDED.host_name, status = EXCLUDED.status,
                started_at = EXCLUDED.started_at, last_heartbeat = EXCLUDED.last_heartbeat,
                partitions_owned = EXCLUDED.partitions_owned, activations = EXCLUDED.activations
        """;

    private const string HeartbeatSql = """
        UPDATE silos SET last_heartbeat = @now, partitions_owned = @partitions_owned, activations = @activations
        WHERE silo_id = @silo_id
        """;

    private const string SetStatusSql = "UPDATE silos SET status = @status, last_heartbeat = @now WHERE silo_id = @silo_id";

    private const string ReadAllSql = """
        SELECT silo_id, address, host_name, status, started_at, last_heartbeat, partitions_owned, activations
        FROM silos ORDER BY started_at, silo_id
        """;

    // Whatever its last status, a silo silent for that long is gone.
    private const string RemoveDefunctSql = "DELETE FROM silos WHERE last_heartbeat < @before";

    public async Task UpsertAsync(SiloRecord silo)
    {
        await using var command = dataSource.CreateCommand(UpsertSql);
        command.Parameters.AddWithValue("silo_id", silo.SiloId);
        command.Parameters.AddWithValue("address", silo.Address.ToString());
        command.Parameters.AddWithValue("host_name", silo.HostName);
        command.Parameters.AddWithValue("status", silo.Status.ToString());
        command.Parameters.Add(Timestamp("started_at", silo.StartedAt));
        command.Parameters.Add(Timestamp("last_heartbeat", silo.LastHeartbeat));
        command.Parameters.AddWithValue("partitions_owned", silo.PartitionsOwned);
        command.Parameters.AddWithValue("activations", silo.Activations);
        await command.ExecuteNonQueryAsync();
    }

    public async Task HeartbeatAsync(string siloId, DateTimeOffset now, int partitionsOwned, int activations)
    {
        await using var command = dataSource.CreateCommand(HeartbeatSql);
        command.Parameters.AddWithValue("silo_id", siloId);
        command.Parameters.Add(Timestamp("now", now));
        command.Parameters.AddWithValue("partitions_owned", partitionsOwned);
        command.Parameters.AddWithValue("activations", activations);
        await command.ExecuteNonQueryAsync();
    }

    public async Task SetStatusAsync(string siloId, SiloStatus status, DateTimeOffset now)
    {
        await using var command = dataSource.CreateCommand(SetStatusSql);
        command.Parameters.AddWithValue("silo_id", siloId);
        command.Parameters.AddWithValue("status", status.ToString());
        command.Parameters.Add(Timestamp("now", now));
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<SiloRecord>> ReadAllAsync()
    {
        await using var command = dataSource.CreateCommand(ReadAllSql);
        return await command.ReadListAsync(reader => new SiloRecord(
            reader.GetString(0),
            new Uri(reader.GetString(1)),
            reader.GetString(2),
            Enum.Parse<SiloStatus>(reader.GetString(3)),
            reader.GetFieldValue<DateTimeOffset>(4),
            reader.GetFieldValue<DateTimeOffset>(5),
            reader.GetInt32(6),
            reader.GetInt32(7)));
    }

    public async Task<int> RemoveDefunctAsync(DateTimeOffset before)
    {
        await using var command = dataSource.CreateCommand(RemoveDefunctSql);
        command.Parameters.Add(Timestamp("before", before));
        return await command.ExecuteNonQueryAsync();
    }

    internal static NpgsqlParameter Timestamp(string name, DateTimeOffset value) => new(name, NpgsqlDbType.TimestampTz) { Value = value };
}

/// <summary>Partition leases in PostgreSQL.</summary>
internal sealed class PostgresPartitionLeaseTable(NpgsqlDataSource dataSource) : IPartitionLeaseTable
{
    // The first node to start fixes the partition count; every later one must agree with it.
    private const string RecordPartitionCountSql = """
        INSERT INTO cluster_settings (name, value) VALUES ('partition_count', @count::text) ON CONFLICT (name) DO NOTHING;
        """;

    private const string ReadPartitionCountSql = "SELECT value::integer FROM cluster_settings WHERE name = 'partition_count'";

    private const string CreatePartitionsSql = """
        INSERT INTO partition_leases (partition) SELECT generate_series(0, @count - 1) ON CONFLICT (partition) DO NOTHING
        """;

    private const string RenewSql = """
        UPDATE partition_leases SET expires_at = @expires_at
        WHERE owner_silo_id = @silo_id
        RETURNING partition, owner_silo_id, epoch, expires_at
        """;

    // SKIP LOCKED: silos acquiring at the same moment split the free partitions instead of queueing on them; the
    // lock taken re-checks the expiry against the latest row, so a lease renewed meanwhile is not taken.
    private const string AcquireSql = """
        UPDATE partition_leases SET owner_silo_id = @silo_id, epoch = epoch + 1, expires_at = @expires_at
        WHERE partition IN (
            SELECT partition FROM partition_leases
            WHERE expires_at < @expired_before
            ORDER BY partition
            LIMIT @max_count
            FOR UPDATE SKIP LOCKED)
        RETURNING partition, owner_silo_id, epoch, expires_at
        """;

    private const string ReleaseSql = """
        UPDATE partition_leases SET owner_silo_id = NULL, expires_at = @now
        WHERE partition = @partition AND owner_silo_id = @silo_id AND epoch = @epoch
        """;

    private const string ReadAllSql = "SELECT partition, owner_silo_id, epoch, expires_at FROM partition_leases ORDER BY partition";

    private const string ReadPlacementSql = """
        SELECT l.partition, l.owner_silo_id, s.address, l.epoch
        FROM partition_leases l JOIN silos s ON s.silo_id = l.owner_silo_id
        WHERE l.expires_at > @now
        """;

    public async Task InitializeAsync(int partitionCount)
    {
        await using (var record = dataSource.CreateCommand(RecordPartitionCountSql))
        {
            record.Parameters.AddWithValue("count", partitionCount);
            await record.ExecuteNonQueryAsync();
        }

        await using (var read = dataSource.CreateCommand(ReadPartitionCountSql))
        {
            var stored = (int)(await read.ExecuteScalarAsync())!;
            if (stored != partitionCount)
                throw new InvalidOperationException($"This database's cluster has {stored} partitions, but Cluster:PartitionCount is {partitionCount}. The partition count cannot change for the life of a cluster.");
        }

        await using var create = dataSource.CreateCommand(CreatePartitionsSql);
        create.Parameters.AddWithValue("count", partitionCount);
        await create.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<PartitionLease>> RenewAsync(string siloId, DateTimeOffset now, DateTimeOffset expiresAt)
    {
        await using var command = dataSource.CreateCommand(RenewSql);
        command.Parameters.AddWithValue("silo_id", siloId);
        command.Parameters.Add(PostgresMembershipTable.Timestamp("expires_at", expiresAt));
        return await ReadLeasesAsync(command);
    }

    public async Task<IReadOnlyList<PartitionLease>> AcquireAsync(string siloId, int maxCount, DateTimeOffset expiredBefore, DateTimeOffset expiresAt)
    {
        await using var command = dataSource.CreateCommand(AcquireSql);
        command.Parameters.AddWithValue("silo_id", siloId);
        command.Parameters.AddWithValue("max_count", maxCount);
        command.Parameters.Add(PostgresMembershipTable.Timestamp("expired_before", expiredBefore));
        command.Parameters.Add(PostgresMembershipTable.Timestamp("expires_at", expiresAt));
        return await ReadLeasesAsync(command);
    }

    public async Task<bool> ReleaseAsync(string siloId, int partition, long epoch, DateTimeOffset now)
    {
        await using var command = dataSource.CreateCommand(ReleaseSql);
        command.Parameters.AddWithValue("partition", partition);
        command.Parameters.AddWithValue("silo_id", siloId);
        command.Parameters.AddWithValue("epoch", epoch);
        command.Parameters.Add(PostgresMembershipTable.Timestamp("now", now));
        return await command.ExecuteNonQueryAsync() == 1;
    }

    public async Task<IReadOnlyList<PartitionLease>> ReadAllAsync()
    {
        await using var command = dataSource.CreateCommand(ReadAllSql);
        return await ReadLeasesAsync(command);
    }

    public async Task<IReadOnlyList<PartitionPlacement>> ReadPlacementAsync(DateTimeOffset now)
    {
        await using var command = dataSource.CreateCommand(ReadPlacementSql);
        command.Parameters.Add(PostgresMembershipTable.Timestamp("now", now));
        return await command.ReadListAsync(reader => new PartitionPlacement(reader.GetInt32(0), reader.GetString(1), new Uri(reader.GetString(2)), reader.GetInt64(3)));
    }

    private static async Task<IReadOnlyList<PartitionLease>> ReadLeasesAsync(NpgsqlCommand command)
        => await command.ReadListAsync(reader => new PartitionLease(
            reader.GetInt32(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.GetInt64(2),
            reader.GetFieldValue<DateTimeOffset>(3)));
}
