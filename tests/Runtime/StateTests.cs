using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Storage;
using OrleansSync.Runtime.Testing;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Runtime;

/// <summary>
/// What every grain storage promises — versions checked, stale writes refused, fenced writes refused — run against the
/// in-memory provider here and against PostgreSQL in <see cref="PostgresStateTests"/>.
/// </summary>
public abstract class GrainStorageContract
{
    protected abstract Task<TestCluster> StartSiloAsync();

    [Fact]
    public async Task State_survives_deactivation()
    {
        await using var cluster = await StartSiloAsync();
        var key = $"{SingleSilo.NewTenant()}/counter";
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ICounterGrain>(key);
        await grain.Add(4);
        await grain.Add(6);
        await grain.Deactivate();
        await Eventually.HoldsAsync(() => GrainProbe.EventsOf(key).Contains("deactivated ApplicationRequested"), TimeSpan.FromSeconds(5), "deactivated");

        Assert.Equal(10, await grain.Get());
        Assert.Equal($"{key} = 10 (etag 2)", await grain.Describe());
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_raises_InconsistentStateException()
    {
        await using var cluster = await StartSiloAsync();
        var (storage, grainId, fence) = StorageFor(cluster, $"{SingleSilo.NewTenant()}/counter");

        var first = new GrainState { State = new CounterState { Value = 1 } };
        await storage.WriteStateAsync("counter", grainId, first, fence);
        var reader = new GrainState();
        await storage.ReadStateAsync("counter", grainId, reader);
        Assert.Equal(first.ETag, reader.ETag);

        first.State.Value = 2;
        await storage.WriteStateAsync("counter", grainId, first, fence);

        reader.State.Value = 99;
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grainId, reader, fence));
        Assert.Equal(first.ETag, conflict.StoredEtag);
        Assert.Equal(reader.ETag, conflict.CurrentEtag);

        var check = new GrainState();
        await storage.ReadStateAsync("counter", grainId, check);
        Assert.Equal(2, check.State.Value);
    }

    [Fact]
    public async Task Two_first_writes_cannot_both_win()
    {
        await using var cluster = await StartSiloAsync();
        var (storage, grainId, fence) = StorageFor(cluster, $"{SingleSilo.NewTenant()}/counter");

        await storage.WriteStateAsync("counter", grainId, new GrainState { State = new CounterState { Value = 1 } }, fence);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("counter", grainId, new GrainState { State = new CounterState { Value = 2 } }, fence));
    }

    [Fact]
    public async Task Clearing_deletes_the_record_and_checks_the_version_too()
    {
        await using var cluster = await StartSiloAsync();
        var (storage, grainId, fence) = StorageFor(cluster, $"{SingleSilo.NewTenant()}/counter");
        var state = new GrainState { State = new CounterState { Value = 5 } };
        await storage.WriteStateAsync("counter", grainId, state, fence);
        var stale = new GrainState();
        await storage.ReadStateAsync("counter", grainId, stale);
        await storage.WriteStateAsync("counter", grainId, state, fence);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("counter", grainId, stale, fence));
        await storage.ClearStateAsync("counter", grainId, state, fence);

        var after = new GrainState();
        await storage.ReadStateAsync("counter", grainId, after);
        Assert.False(after.RecordExists);
        Assert.Null(after.ETag);
    }

    [Fact]
    public async Task A_write_under_an_epoch_the_silo_no_longer_holds_is_refused()
    {
        await using var cluster = await StartSiloAsync();
        var (storage, grainId, fence) = StorageFor(cluster, $"{SingleSilo.NewTenant()}/counter");

        var stale = fence with { Epoch = fence.Epoch - 1 };
        await Assert.ThrowsAsync<PartitionLeaseLostException>(() => storage.WriteStateAsync("counter", grainId, new GrainState(), stale));
        var stranger = fence with { SiloId = "some-other-silo" };
        await Assert.ThrowsAsync<PartitionLeaseLostException>(() => storage.WriteStateAsync("counter", grainId, new GrainState(), stranger));
    }

    [Fact]
    public async Task A_grain_that_meets_a_newer_version_fails_the_call_then_rereads()
    {
        await using var cluster = await StartSiloAsync();
        var key = $"{SingleSilo.NewTenant()}/counter";
        var grain = cluster.Silos[0].GrainFactory.GetGrain<ICounterGrain>(key);
        await grain.Add(1);

        // Someone else writes the grain's state behind its back.
        var (storage, grainId, fence) = StorageFor(cluster, key);
        var outsider = new GrainState();
        await storage.ReadStateAsync("counter", grainId, outsider);
        outsider.State.Value = 100;
        await storage.WriteStateAsync("counter", grainId, outsider, fence);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Add(1));
        await Eventually.HoldsAsync(() => GrainProbe.EventsOf(key).Contains("deactivated InconsistentState"), TimeSpan.FromSeconds(5), "the stale activation went away");
        Assert.Equal(101, await grain.Add(1));
    }

    private static (IGrainStorage Storage, GrainId GrainId, PartitionFence Fence) StorageFor(TestCluster cluster, string key)
    {
        var services = cluster.Silos[0].Services;
        var storage = services.GetRequiredKeyedService<IGrainStorage>(PersistentStateAttribute.DefaultStorageName);
        var partition = services.GetRequiredService<TenantPartitioner>().GetPartitionOfKey(key);
        var fence = services.GetRequiredService<LocalPartitionTable>().TryGetFence(partition) ?? throw new InvalidOperationException("The silo owns no partition.");
        return (storage, new GrainId(new GrainType("counter"), key), fence);
    }

    private sealed class GrainState : IGrainState<CounterState>
    {
        public CounterState State { get; set; } = new();

        public string? ETag { get; set; }

        public bool RecordExists { get; set; }
    }
}

public sealed class MemoryStateTests : GrainStorageContract
{
    protected override Task<TestCluster> StartSiloAsync() => SingleSilo.StartAsync();
}
