using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Storage;

namespace OrleansSync.Runtime.Reminders;

/// <summary>Reminders in memory, for the single-process default: same rules as the PostgreSQL table, gone on restart.</summary>
internal sealed class InMemoryReminderTable(InMemoryPartitionLeaseTable leases, TimeProvider time) : IReminderTable
{
    private readonly Dictionary<(GrainId, string), ReminderEntry> _reminders = [];
    private readonly SortedSet<(DateTimeOffset Due, GrainId Grain, string Name)> _byDue = new(DueOrder.Instance);
    private readonly Lock _lock = new();

    public Task<IReadOnlyList<ReminderEntry>> ReadAsync(GrainId grainId)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<ReminderEntry>>(_reminders.Values.Where(r => r.GrainId == grainId).ToList());
    }

    public Task<ReminderEntry?> ReadAsync(GrainId grainId, string name)
    {
        lock (_lock)
            return Task.FromResult(_reminders.GetValueOrDefault((grainId, name)));
    }

    public Task UpsertAsync(ReminderEntry entry, PartitionFence fence)
    {
        lock (_lock)
        {
            leases.EnsureHolds(fence, time.GetUtcNow(), $"reminder {entry.Name} of {entry.GrainId} was not registered");
            Remove(entry.GrainId, entry.Name);
            Add(entry);
        }

        return Task.CompletedTask;
    }

    public Task<bool> RemoveAsync(GrainId grainId, string name, PartitionFence fence)
    {
        lock (_lock)
        {
            leases.EnsureHolds(fence, time.GetUtcNow(), $"reminder {name} of {grainId} was not removed");
            return Task.FromResult(Remove(grainId, name));
        }
    }

    public Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(IReadOnlyList<int> partitions, DateTimeOffset dueBy, int limit)
    {
        var wanted = partitions.ToHashSet();
        lock (_lock)
        {
            var due = _byDue
                .TakeWhile(d => d.Due <= dueBy)
                .Select(d => _reminders[(d.Grain, d.Name)])
                .Where(r => wanted.Contains(r.Partition))
                .Take(limit)
                .ToList();
            return Task.FromResult<IReadOnlyList<ReminderEntry>>(due);
        }
    }

    public Task<bool> TryAdvanceAsync(ReminderEntry entry, DateTimeOffset nextDue, PartitionFence fence)
    {
        lock (_lock)
        {
            if (!leases.Holds(fence, time.GetUtcNow()))
                return Task.FromResult(false);
            if (!_reminders.TryGetValue((entry.GrainId, entry.Name), out var current) || current.NextDue != entry.NextDue)
                return Task.FromResult(false);
            Remove(entry.GrainId, entry.Name);
            Add(current with { NextDue = nextDue });
            return Task.FromResult(true);
        }
    }

    public Task<ReminderCounts> CountAsync(DateTimeOffset lateBefore, DateTimeOffset dueSoonBefore, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var late = _byDue.TakeWhile(d => d.Due < lateBefore).LongCount();
            var soon = _byDue.Skip((int)late).TakeWhile(d => d.Due < dueSoonBefore).LongCount();
            return Task.FromResult(new ReminderCounts(_byDue.Count, late, soon));
        }
    }

    public Task<IReadOnlyList<ReminderEntry>> ReadPageAsync(ReminderPage page, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IEnumerable<(DateTimeOffset Due, GrainId Grain, string Name)> inOrder = page.Filter switch
            {
                ReminderFilter.Late => _byDue.TakeWhile(d => d.Due < page.LateBefore),
                ReminderFilter.DueSoon => _byDue.SkipWhile(d => d.Due < page.LateBefore).TakeWhile(d => d.Due < page.DueSoonBefore),
                _ => _byDue,
            };
            return Task.FromResult<IReadOnlyList<ReminderEntry>>(inOrder.Skip(page.Skip).Take(page.Take).Select(d => _reminders[(d.Grain, d.Name)]).ToList());
        }
    }

    private void Add(ReminderEntry entry)
    {
        _reminders[(entry.GrainId, entry.Name)] = entry;
        _byDue.Add((entry.NextDue, entry.GrainId, entry.Name));
    }

    private bool Remove(GrainId grainId, string name)
    {
        if (!_reminders.Remove((grainId, name), out var existing))
            return false;
        _byDue.Remove((existing.NextDue, grainId, name));
        return true;
    }

    private sealed class DueOrder : IComparer<(DateTimeOffset Due, GrainId Grain, string Name)>
    {
        public static readonly DueOrder Instance = new();

        public int Compare((DateTimeOffset Due, GrainId Grain, string Name) x, (DateTimeOffset Due, GrainId Grain, string Name) y)
        {
            var byDue = x.Due.CompareTo(y.Due);
            if (byDue != 0)
                return byDue;
            var byType = string.CompareOrdinal(x.Grain.Type.Value, y.Grain.Type.Value);
            if (byType != 0)
                return byType;
            var byKey = string.CompareOrdinal(x.Grain.Key, y.Grain.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(x.Name, y.Name);
        }
    }
}
