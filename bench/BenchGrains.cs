using OrleansSync.Runtime;

namespace OrleansSync.Bench;

public interface IBenchGrain : IGrainWithStringKey
{
    Task Ping();

    Task<int> Increment();
}

/// <summary>
/// The in-silo call benchmarks' grains and loops (<see cref="InSiloCallBenchmarks"/>, <see cref="DashboardOpenBenchmarks"/>,
/// <see cref="DashboardPairedLoad"/>): 100 counters over ten tenants, called in turn.
/// </summary>
internal static class InSiloCalls
{
    public const int GrainCount = 100;

    public static string[] Keys { get; } = Enumerable.Range(0, GrainCount).Select(i => $"tenant{i % 10}/bench/{i}").ToArray();

    public static IBenchGrain[] Grains(IGrainFactory grains) => Keys.Select(k => grains.GetGrain<IBenchGrain>(k)).ToArray();

    /// <summary><paramref name="calls"/> calls from the caller's thread, each grain in turn; the sum of the answers.</summary>
    public static async Task<int> OneCallerAsync(IBenchGrain[] grains, int calls)
    {
        var sum = 0;
        for (var i = 0; i < calls; i++)
            sum += await grains[i % grains.Length].Increment();
        return sum;
    }

    /// <summary><paramref name="calls"/> calls shared by <paramref name="callers"/> callers on the thread pool, each on its own grains.</summary>
    public static Task CallersAsync(IBenchGrain[] grains, int callers, int calls) => Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
    {
        for (var i = caller; i < calls; i += callers)
            await grains[i % grains.Length].Increment();
    })));
}

/// <summary>The smallest useful grain: a counter in memory. What a call costs is then the runtime's cost.</summary>
public sealed class BenchGrain : Grain, IBenchGrain
{
    private int _count;

    public Task Ping() => Task.CompletedTask;

    public Task<int> Increment() => Task.FromResult(++_count);
}

public interface IBenchStateGrain : IGrainWithStringKey
{
    Task Write(int value);
}

public sealed class BenchState
{
    public int Value { get; set; }

    public string Note { get; set; } = "";
}

/// <summary>A grain that writes its state on every call: one PostgreSQL write per call.</summary>
public sealed class BenchStateGrain([PersistentState("bench")] IPersistentState<BenchState> state) : Grain, IBenchStateGrain
{
    public async Task Write(int value)
    {
        state.State.Value = value;
        state.State.Note = $"written {value}";
        await state.WriteStateAsync();
    }
}

/// <summary>The baseline's grain: the same counter as a plain object, no runtime.</summary>
public sealed class PlainCounter
{
    private int _count;

    public Task Ping() => Task.CompletedTask;

    public Task<int> Increment() => Task.FromResult(++_count);
}
