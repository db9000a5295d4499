using OrleansSync.Runtime;

namespace OrleansSync.Bench;

public interface IBenchGrain : IGrainWithStringKey
{
    Task Ping();

    Task<int> Increment();
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
