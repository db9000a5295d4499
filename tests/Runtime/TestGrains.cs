using System.Collections.Concurrent;
using OrleansSync.Runtime;

namespace OrleansSync.Tests.Runtime;

// Grains used by the runtime tests. Every test uses its own tenant ids, so tests running side by side never meet in
// GrainProbe, where grains report what happened to them.

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Add(int amount);

    /// <summary>An overload: the generator must tell the two apart on the wire.</summary>
    Task<int> Add(int amount, int times);

    Task<int> Get();

    Task<Guid> ActivationId();

    ValueTask<string> Describe();

    Task Deactivate();
}

public sealed class CounterState
{
    public int Value { get; set; }
}

public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> counter) : Grain, ICounterGrain
{
    private readonly Guid _activationId = Guid.NewGuid();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        GrainProbe.Record(this.GetPrimaryKeyString(), $"activated {counter.State.Value}");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        GrainProbe.Record(this.GetPrimaryKeyString(), $"deactivated {reason.Code}");
        return Task.CompletedTask;
    }

    public async Task<int> Add(int amount)
    {
        counter.State.Value += amount;
        await counter.WriteStateAsync();
        return counter.State.Value;
    }

    public Task<int> Add(int amount, int times) => Add(amount * times);

    public Task<int> Get() => Task.FromResult(counter.State.Value);

    public Task<Guid> ActivationId() => Task.FromResult(_activationId);

    public ValueTask<string> Describe() => ValueTask.FromResult($"{GetPrimaryKeyString()} = {counter.State.Value} (etag {counter.Etag})");

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

/// <summary>What a <see cref="ITurnGrain"/> saw: the values in the order its calls ran, and the most calls ever inside it at once.</summary>
public sealed record TurnReport(IReadOnlyList<int> Values, int MaxConcurrent);

public interface ITurnGrain : IGrainWithStringKey
{
    Task<int> Record(int value, int workMilliseconds);

    Task<TurnReport> Report();

    /// <summary>Waits until <paramref name="parties"/> grains are inside this method at once.</summary>
    Task Rendezvous(string meetingId, int parties);

    Task Hang();

    Task Fail(string message);

    Task<string?> ReadContext(string key);
}

public sealed class TurnGrain : Grain, ITurnGrain
{
    private readonly List<int> _values = [];
    private int _inside;
    private int _maxInside;

    public async Task<int> Record(int value, int workMilliseconds)
    {
        _maxInside = Math.Max(_maxInside, Interlocked.Increment(ref _inside));
        if (workMilliseconds > 0)
            await Task.Delay(workMilliseconds);
        else
            await Task.Yield();
        _values.Add(value);
        Interlocked.Decrement(ref _inside);
        return value;
    }

    public Task<TurnReport> Report() => Task.FromResult(new TurnReport([.. _values], _maxInside));

    public Task Rendezvous(string meetingId, int parties) => GrainProbe.Meet(meetingId, parties);

    public Task Hang() => new TaskCompletionSource().Task;

    public Task Fail(string message) => throw new InvalidOperationException(message);

    public Task<string?> ReadContext(string key) => Task.FromResult(RequestContext.Get(key));
}

public interface IFragileGrain : IGrainWithStringKey
{
    Task<string> Ping();
}

/// <summary>Fails to activate while its key is listed in <see cref="GrainProbe.FailActivation"/>.</summary>
public sealed class FragileGrain : Grain, IFragileGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
        => GrainProbe.FailActivation.ContainsKey(GetPrimaryKeyString())
            ? throw new ArgumentException($"{GetPrimaryKeyString()} refuses to activate")
            : Task.CompletedTask;

    public Task<string> Ping() => Task.FromResult("pong");
}

public interface IGreeterBase : IGrainWithStringKey
{
    Task<string> Hello(string name);
}

public interface IGreeterGrain : IGreeterBase
{
    Task<string> Goodbye();
}

public sealed class GreeterGrain : Grain, IGreeterGrain
{
    public Task<string> Hello(string name) => Task.FromResult($"Hello {name} from {GetPrimaryKeyString()}");

    public Task<string> Goodbye() => Task.FromResult("Goodbye");
}

public interface IReminderGrain : IGrainWithStringKey, IRemindable
{
    Task Start(string reminderName, TimeSpan dueTime, TimeSpan period);

    Task Stop(string reminderName);

    Task<IReadOnlyList<string>> Reminders();
}

public sealed class ReminderGrain : Grain, IReminderGrain
{
    public Task Start(string reminderName, TimeSpan dueTime, TimeSpan period) => RegisterOrUpdateReminder(reminderName, dueTime, period);

    public async Task Stop(string reminderName)
    {
        if (await GetReminder(reminderName) is { } reminder)
            await UnregisterReminder(reminder);
    }

    public async Task<IReadOnlyList<string>> Reminders() => (await GetReminders()).Select(r => r.ReminderName).ToList();

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        GrainProbe.Ticks.Enqueue(new TickRecord(GetPrimaryKeyString(), reminderName, status.CurrentTickTime, status.Period));
        return Task.CompletedTask;
    }
}

/// <summary>Tells the time on the grain clock it was given.</summary>
public interface IClockGrain : IGrainWithStringKey
{
    Task<DateTimeOffset> Now();
}

public sealed class ClockGrain([Microsoft.Extensions.DependencyInjection.FromKeyedServices(GrainClock.Key)] TimeProvider clock) : Grain, IClockGrain
{
    public Task<DateTimeOffset> Now() => Task.FromResult(clock.GetUtcNow());
}

public sealed record TickRecord(string Key, string Reminder, DateTimeOffset TickTime, TimeSpan Period);

public interface IGatedWriterGrain : IGrainWithStringKey
{
    Task<int> Read();

    Task Write(int value);

    /// <summary>Waits for the test to open gate <paramref name="gateId"/>, then writes.</summary>
    Task WriteAfterGate(int value, string gateId);
}

public sealed class GatedWriterGrain([PersistentState("value")] IPersistentState<CounterState> state) : Grain, IGatedWriterGrain
{
    public Task<int> Read() => Task.FromResult(state.State.Value);

    public async Task Write(int value)
    {
        state.State.Value = value;
        await state.WriteStateAsync();
    }

    public async Task WriteAfterGate(int value, string gateId)
    {
        GrainProbe.Record(gateId, "waiting");
        await GrainProbe.Gate(gateId);
        await Write(value);
    }
}

/// <summary>The numbers an <see cref="IInboxTargetGrain"/> received, in order; redeliveries ignored, gaps counted.</summary>
public sealed class InboxTargetState
{
    public List<int> Received { get; set; } = [];

    public int OutOfOrder { get; set; }
}

public interface IInboxTargetGrain : IGrainWithStringKey
{
    Task Receive(int number);

    Task<InboxTargetState> Read();
}

public sealed class InboxTargetGrain([PersistentState("inbox")] IPersistentState<InboxTargetState> state) : Grain, IInboxTargetGrain
{
    public async Task Receive(int number)
    {
        var received = state.State.Received;
        var last = received.Count == 0 ? 0 : received[^1];
        if (number <= last)
            return; // delivered again after a failover: already applied
        if (number != last + 1)
            state.State.OutOfOrder++;
        received.Add(number);
        await state.WriteStateAsync();
    }

    public Task<InboxTargetState> Read() => Task.FromResult(state.State);
}

/// <summary>Where test grains report, across every silo of the test process.</summary>
public static class GrainProbe
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Events = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();
    private static readonly ConcurrentDictionary<string, Meeting> Meetings = new();

    public static ConcurrentDictionary<string, bool> FailActivation { get; } = new();

    public static ConcurrentQueue<TickRecord> Ticks { get; } = new();

    public static void Record(string key, string what) => Events.GetOrAdd(key, _ => new()).Enqueue(what);

    public static IReadOnlyList<string> EventsOf(string key) => Events.TryGetValue(key, out var events) ? [.. events] : [];

    public static Task Gate(string gateId) => Gates.GetOrAdd(gateId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public static void Open(string gateId) => Gates.GetOrAdd(gateId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public static Task Meet(string meetingId, int parties)
    {
        var meeting = Meetings.GetOrAdd(meetingId, _ => new Meeting(parties));
        if (Interlocked.Increment(ref meeting.Arrived) == parties)
            meeting.Everyone.TrySetResult();
        return meeting.Everyone.Task;
    }

    private sealed class Meeting(int parties)
    {
        public int Arrived;

        public int Parties { get; } = parties;

        public TaskCompletionSource Everyone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
