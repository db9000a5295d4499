using OrleansSync.Runtime.Storage;

namespace OrleansSync.Runtime.Reminders;

/// <summary>One registered reminder and when it fires next.</summary>
public sealed record ReminderEntry(GrainId GrainId, string Name, int Partition, DateTimeOffset FirstTickTime, TimeSpan Period, DateTimeOffset NextDue);

/// <summary>Where reminders are kept: PostgreSQL in a cluster, memory in the single-process default.</summary>
public interface IReminderTable
{
    Task<IReadOnlyList<ReminderEntry>> ReadAsync(GrainId grainId);

    Task<ReminderEntry?> ReadAsync(GrainId grainId, string name);

    /// <summary>Creates or replaces a reminder; refused (<see cref="PartitionLeaseLostException"/>) when the fence is stale.</summary>
    Task UpsertAsync(ReminderEntry entry, PartitionFence fence);

    Task<bool> RemoveAsync(GrainId grainId, string name, PartitionFence fence);

    /// <summary>Reminders of the given partitions due by <paramref name="dueBy"/>, earliest first. Served by an index, never a table scan.</summary>
    Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(IReadOnlyList<int> partitions, DateTimeOffset dueBy, int limit);

    /// <summary>
    /// Moves a reminder's next due time forward after a tick, if nobody changed it meanwhile (its due time is still
    /// <see cref="ReminderEntry.NextDue"/>) and the fence still holds. False otherwise.
    /// </summary>
    Task<bool> TryAdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, PartitionFence fence);
}
