namespace OrleansSync.Runtime;

/// <summary>Creates references to grains. A reference is cheap; the grain is activated by its first call.</summary>
public interface IGrainFactory
{
    TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey;
}

/// <summary>The grain factory of a process that hosts no grains itself, such as the api front-end.</summary>
public interface IClusterClient : IGrainFactory;

/// <summary>Creates generated references bound to one dispatcher (a silo's, or a front-end's).</summary>
public sealed class GrainFactory : IClusterClient
{
    private readonly GrainCallDispatcher _dispatcher;

    internal GrainFactory(GrainCallDispatcher dispatcher) => _dispatcher = dispatcher;

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey
        => (TGrainInterface)(object)CreateReference(typeof(TGrainInterface), primaryKey, grainType: null);

    /// <summary>A reference to a grain named by its class rather than an interface (used to deliver reminders).</summary>
    internal TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IGrain
        => (TGrainInterface)(object)CreateReference(typeof(TGrainInterface), grainId.Key, grainId.Type);

    internal GrainReference CreateReference(Type interfaceType, string key, GrainType? grainType)
    {
        ValidateKey(key);
        var description = GrainInterfaceRegistry.Get(interfaceType);
        var partition = _dispatcher.Partitioner.GetPartitionOfKey(key);
        return description.CreateReference(new GrainReferenceArgs(_dispatcher, interfaceType, key, partition, grainType));
    }

    private static void ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key[0] == '/')
            throw new ArgumentException($"Grain key '{key}' must start with a tenant id, as in \"{{tenantId}}/deal/42\".", nameof(key));
    }
}

public static class GrainExtensions
{
    /// <summary>The key of a grain, from inside the grain or from a reference to it.</summary>
    public static string GetPrimaryKeyString(this IGrain grain) => grain switch
    {
        Grain activation => activation.GrainId.Key,
        GrainReference reference => reference.Key,
        _ => throw new ArgumentException($"{grain.GetType()} is neither a grain nor a grain reference.", nameof(grain)),
    };
}
