namespace OrleansSync.Runtime;

/// <summary>What the runtime hands to a generated reference's constructor.</summary>
public readonly struct GrainReferenceArgs
{
    internal GrainReferenceArgs(GrainCallDispatcher dispatcher, Type interfaceType, string key, int partition, GrainType? grainType)
    {
        Dispatcher = dispatcher;
        InterfaceType = interfaceType;
        Key = key;
        Partition = partition;
        GrainType = grainType;
    }

    internal GrainCallDispatcher Dispatcher { get; }
    internal Type InterfaceType { get; }
    internal string Key { get; }
    internal int Partition { get; }
    internal GrainType? GrainType { get; }
}

/// <summary>
/// The base of every generated grain reference: a grain interface, a key, and the dispatcher that delivers calls —
/// inline or queued on this silo, or over HTTP to the silo that owns the key's partition.
/// </summary>
public abstract class GrainReference : IEquatable<GrainReference>
{
    protected GrainReference(in GrainReferenceArgs args)
    {
        Dispatcher = args.Dispatcher;
        InterfaceType = args.InterfaceType;
        Key = args.Key;
        Partition = args.Partition;
        ExplicitGrainType = args.GrainType;
    }

    /// <summary>The grain interface this reference was created for.</summary>
    public Type InterfaceType { get; }

    /// <summary>The grain's key; it starts with the tenant id.</summary>
    public string Key { get; }

    internal int Partition { get; }

    internal GrainCallDispatcher Dispatcher { get; }

    /// <summary>Set when the reference names a grain class directly (reminders), rather than through its interface.</summary>
    internal GrainType? ExplicitGrainType { get; }

    /// <summary>
    /// The activation this reference last reached on its own silo. Calls through a warm reference skip the directory
    /// lookup; the activation's own state says whether it may still be used.
    /// </summary>
    internal Activation.ActivationData? CachedActivation { get; set; }

    /// <summary>The class that implements <see cref="InterfaceType"/> on this reference's silo, once resolved.</summary>
    internal Activation.GrainClass? ResolvedClass { get; set; }

    protected Task<TResult> Invoke<TGrain, TArgs, TResult>(GrainMethod<TGrain, TArgs, TResult> method, TArgs args)
        where TGrain : class, IGrain
        => Dispatcher.InvokeAsync(this, method, args);

    public bool Equals(GrainReference? other)
        => other is not null && InterfaceType == other.InterfaceType && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is GrainReference other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(InterfaceType, StringComparer.Ordinal.GetHashCode(Key));

    public override string ToString() => $"{InterfaceType.Name}/{Key}";
}
