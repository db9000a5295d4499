using Npgsql;
using NpgsqlTypes;
using OrleansSync.Runtime.Storage;

namespace OrleansSync.Runtime.Postgres;

/// <summary>
/// The fencing condition every grain write carries, as a common table expression named <c>fence</c>: it yields a row
/// only while the writer still holds its partition at the epoch it activated with, and locks that lease row
/// (<c>FOR SHARE</c>) until the statement commits — so a change of owner either happens before the write, and the
/// write is refused, or waits until the write is done.
/// </summary>
internal static class LeaseFence
{
    public const string Cte = """
        fence AS (
            SELECT 1 FROM partition_leases
            WHERE partition = @fence_partition AND owner_silo_id = @fence_silo AND epoch = @fence_epoch AND expires_at > @fence_now
            FOR SHARE)
        """;

    public static void AddParameters(NpgsqlCommand command, PartitionFence fence, DateTimeOffset now)
    {
        command.Parameters.AddWithValue("fence_partition", fence.Partition);
        command.Parameters.AddWithValue("fence_silo", fence.SiloId);
        command.Parameters.AddWithValue("fence_epoch", fence.Epoch);
        command.Parameters.Add(new NpgsqlParameter("fence_now", NpgsqlDbType.TimestampTz) { Value = now });
    }
}
