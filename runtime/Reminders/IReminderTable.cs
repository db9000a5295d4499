using OrleansSync.Runtime.Storage;

namespace OrleansSync.Runtime.Reminders;

/// <summary>One registered reminder and when it fires next.</summary>
public sealed record ReminderEntry(GrainId GrainId, string Name, int Partition, DateTimeOffset FirstTickTime, TimeSpan Period, DateTimeOffset NextDue);

/// <summary>Which reminders a page lists: all, the late ones, or those due soon.</summary>
public enum ReminderFilter
{
    All,

    /// <summary>Due before <see cref="ReminderPage.LateBefore"/> and not fired.</summary>
    Late,

    /// <summary>Due from <see cref="ReminderPage.LateBefore"/> up to <see cref="ReminderPage.DueSoonBefore"/>.</summary>
    DueSoon,
}

/// <summary>A page of reminders in due order: which, and where the late and the soon end.</summary>
public sealed record ReminderPage(ReminderFilter Filter, DateTimeOffset LateBefore, DateTimeOffset DueSoonBefore, int Skip, int Take);

/// <summary>How many reminders there are, how many are late (due before a moment) and how many due soon (due between it and another).</summary>
public sealed record ReminderCounts(long Total, long Late, long DueSoon);

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

    /// <summary>Counts every reminder, the late ones (due before <paramref name="lateBefore"/>) and those due soon (from it to <paramref name="dueSoonBefore"/>), where they are kept.</summary>
    Task<ReminderCounts> CountAsync(DateTimeOffset lateBefore, DateTimeOffset dueSoonBefore, CancellationToken cancellationToken = default);

    /// <summary>One page of reminders of every partition, earliest due first, read through the due-time index: never the whole table.</summary>
    Task<IReadOnlyList<ReminderEntry>> ReadPageAsync(ReminderPage page, CancellationToken cancellationToken = default);
}
