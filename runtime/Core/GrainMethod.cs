using System.Text.Json;

namespace OrleansSync.Runtime;

/// <summary>
/// One method of a grain interface: how to call it on a grain object, and its name on the wire. The code generator
/// writes one instance per interface method, so the call path never reflects over interfaces.
/// </summary>
public abstract class GrainMethod
{
    private static int s_count;

    private protected GrainMethod(Type interfaceType, string name)
    {
        Ordinal = Interlocked.Increment(ref s_count) - 1;
        InterfaceType = interfaceType;
        InterfaceName = GrainInterfaceRegistry.WireNameOf(interfaceType);
        Name = name;
    }

    /// <summary>The grain interface that declares the method.</summary>
    public Type InterfaceType { get; }

    /// <summary>The interface's name on the wire (its full name).</summary>
    public string InterfaceName { get; }

    /// <summary>The method's name on the wire, unique within its interface.</summary>
    public string Name { get; }

    /// <summary>A number unique to this method in the process, from 0 up: an index into per-method tables.</summary>
    internal int Ordinal { get; }

    public override string ToString() => $"{InterfaceType.Name}.{Name}";

    /// <summary>
    /// The receiving side of a cross-silo call: decodes the arguments, runs the call on this silo and encodes the
    /// result (<c>null</c> when the method returns nothing).
    /// </summary>
    internal abstract Task<byte[]?> InvokeFromWireAsync(GrainCallDispatcher dispatcher, GrainReference target, ReadOnlyMemory<byte> arguments, JsonSerializerOptions json);
}

/// <summary>A grain method taking <typeparamref name="TArgs"/> and answering <typeparamref name="TResult"/>.</summary>
/// <remarks>Methods that return <see cref="Task"/> use <see cref="VoidResult"/>; methods without parameters use <see cref="NoArgs"/>.</remarks>
public sealed class GrainMethod<TGrain, TArgs, TResult> : GrainMethod
    where TGrain : class, IGrain
{
    private readonly Func<TGrain, TArgs, Task<TResult>> _invoke;

    public GrainMethod(string name, Func<TGrain, TArgs, Task<TResult>> invoke)
        : base(typeof(TGrain), name)
    {
        _invoke = invoke;
    }

    /// <summary>Runs the method on a grain object. Exceptions thrown before the first await are turned into a faulted task.</summary>
    internal Task<TResult> Invoke(object grain, TArgs args)
    {
        try
        {
            return _invoke((TGrain)grain, args);
        }
        catch (Exception exception)
        {
            return Task.FromException<TResult>(exception);
        }
    }

    internal override async Task<byte[]?> InvokeFromWireAsync(GrainCallDispatcher dispatcher, GrainReference target, ReadOnlyMemory<byte> arguments, JsonSerializerOptions json)
    {
        var args = arguments.IsEmpty ? default! : JsonSerializer.Deserialize<TArgs>(arguments.Span, json)!;
        var result = await dispatcher.InvokeFromRemoteAsync(target, this, args);
        return typeof(TResult) == typeof(VoidResult) ? null : JsonSerializer.SerializeToUtf8Bytes(result, json);
    }
}

/// <summary>The arguments of a grain method without parameters.</summary>
public readonly struct NoArgs;

/// <summary>The result of a grain method that returns no value.</summary>
public readonly struct VoidResult
{
    private static readonly Task<VoidResult> Completed = Task.FromResult(default(VoidResult));

    /// <summary>Adapts a <see cref="Task"/> without allocating when it has already completed.</summary>
    public static Task<VoidResult> From(Task task) => task.IsCompletedSuccessfully ? Completed : AwaitAsync(task);

    /// <summary>Adapts a <see cref="ValueTask"/> without allocating when it has already completed.</summary>
    public static Task<VoidResult> From(ValueTask task) => task.IsCompletedSuccessfully ? Completed : AwaitAsync(task.AsTask());

    private static async Task<VoidResult> AwaitAsync(Task task)
    {
        await task;
        return default;
    }
}
