using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Postgres;
using OrleansSync.Runtime.Reminders;
using OrleansSync.Runtime.Storage;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Dashboard;

/// <summary>
/// What the dashboard asks of a reminder table: counts of all, late and due-soon reminders, and pages in due order —
/// across every partition, without ever reading the table whole. The same behaviour in memory and in PostgreSQL.
/// </summary>
public abstract class ReminderPagingContract
{
    protected static readonly DateTimeOffset Now = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    private protected abstract Task<(IReminderTable Table, IPartitionLeaseTable Leases)> CreateAsync();

    [Fact]
    public async Task Reminders_are_counted_late_and_due_soon_and_paged_in_due_order_across_partitions()
    {
        var (table, fences) = await WithRemindersAsync(count: 120);
        var lateBefore = Now - TimeSpan.FromMinutes(1);
        var soonBefore = Now + TimeSpan.FromMinutes(10);

        // Reminder i is due at Now + (i - 20) minutes: 0–18 are late, 19–29 due soon, the rest later.
        Assert.Equal(new ReminderCounts(120, 19, 11), await table.CountAsync(lateBefore, soonBefore));

        var first = await table.ReadPageAsync(new ReminderPage(ReminderFilter.All, lateBefore, soonBefore, Skip: 0, Take: 50));
        var second = await table.ReadPageAsync(new ReminderPage(ReminderFilter.All, lateBefore, soonBefore, Skip: 50, Take: 50));
        var last = await table.ReadPageAsync(new ReminderPage(ReminderFilter.All, lateBefore, soonBefore, Skip: 100, Take: 50));
        var all = first.Concat(second).Concat(last).ToList();
        Assert.Equal((50, 50, 20), (first.Count, second.Count, last.Count));
        Assert.Equal(Enumerable.Range(0, 120).Select(Key), all.Select(r => r.GrainId.Key));
        Assert.Equal(fences.Count, all.Select(r => r.Partition).Distinct().Count());

        var late = await table.ReadPageAsync(new ReminderPage(ReminderFilter.Late, lateBefore, soonBefore, Skip: 10, Take: 50));
        Assert.Equal(Enumerable.Range(10, 9).Select(Key), late.Select(r => r.GrainId.Key));
        var soon = await table.ReadPageAsync(new ReminderPage(ReminderFilter.DueSoon, lateBefore, soonBefore, Skip: 0, Take: 5));
        Assert.Equal(Enumerable.Range(19, 5).Select(Key), soon.Select(r => r.GrainId.Key));
        Assert.Empty(await table.ReadPageAsync(new ReminderPage(ReminderFilter.DueSoon, lateBefore, soonBefore, Skip: 11, Take: 5)));
    }

    protected static string Key(int i) => $"t{i % 7}/reminder/{i:D3}";

    /// <summary>Reminders registered as grains do, under the leases of four partitions.</summary>
    private async Task<(IReminderTable Table, IReadOnlyList<PartitionFence> Fences)> WithRemindersAsync(int count)
    {
        var (table, leases) = await CreateAsync();
        await leases.InitializeAsync(4);
        var acquired = await leases.AcquireAsync("silo-1", 4, Now, Now + TimeSpan.FromDays(1));
        var fences = acquired.Select(l => new PartitionFence(l.Partition, "silo-1", l.Epoch)).ToList();
        // Registered out of order, so that the order read is the table's doing.
        foreach (var i in Enumerable.Range(0, count).OrderBy(i => (i * 37) % count))
        {
            var fence = fences[i % fences.Count];
            var due = Now + TimeSpan.FromMinutes(i - 20);
            await table.UpsertAsync(new ReminderEntry(new GrainId(new GrainType("reminder"), Key(i)), "tick", fence.Partition, due, TimeSpan.FromHours(1), due), fence);
        }

        return (table, fences);
    }
}

public sealed class InMemoryReminderPagingTests : ReminderPagingContract
{
    private protected override Task<(IReminderTable Table, IPartitionLeaseTable Leases)> CreateAsync()
    {
        var leases = new InMemoryPartitionLeaseTable(new InMemoryMembershipTable());
        return Task.FromResult<(IReminderTable, IPartitionLeaseTable)>((new InMemoryReminderTable(leases, new ManualTimeProvider(Now)), leases));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresReminderPagingTests : ReminderPagingContract, IAsyncDisposable
{
    private NpgsqlDataSource? _dataSource;

    private protected override async Task<(IReminderTable Table, IPartitionLeaseTable Leases)> CreateAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await PostgresServer.CreateDatabaseAsync());
        await new PostgresMigrator(_dataSource, NullLogger<PostgresMigrator>.Instance).MigrateAsync(default);
        return (new PostgresReminderTable(_dataSource, new ManualTimeProvider(Now)), new PostgresPartitionLeaseTable(_dataSource));
    }

    [Fact]
    public async Task A_page_is_read_through_the_due_time_index_not_by_sorting_the_table()
    {
        var (table, _) = await CreateAsync();
        await using (var fill = _dataSource!.CreateCommand("""
            INSERT INTO reminders (grain_type, grain_key, reminder_name, partition, first_tick_at, period, next_due_at)
            SELECT 'reminder', 't' || (n % 50) || '/reminder/' || n, 'tick', n % 256, now(), interval '1 hour', now() + n * interval '1 second'
            FROM generate_series(1, 20000) AS n;
            ANALYZE reminders;
            """))
            await fill.ExecuteNonQueryAsync();

        await using var explain = _dataSource.CreateCommand("""
            EXPLAIN SELECT grain_type, grain_key, reminder_name, partition, first_tick_at, period, next_due_at FROM reminders
            WHERE next_due_at >= '-infinity' AND next_due_at < 'infinity'
            ORDER BY next_due_at, grain_type, grain_key, reminder_name LIMIT 50 OFFSET 100
            """);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                plan.Add(reader.GetString(0));
        }

        Assert.Contains(plan, line => line.Contains("reminders_by_due", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("Sort", StringComparison.Ordinal));
        Assert.Equal(50, (await table.ReadPageAsync(new ReminderPage(ReminderFilter.All, Now, Now, Skip: 100, Take: 50))).Count);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
            await _dataSource.DisposeAsync();
    }
}
