using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace OrleansSync.Runtime;

/// <summary>What the code generator records about one grain interface.</summary>
public sealed class GrainInterfaceDescription
{
    public GrainInterfaceDescription(Type interfaceType, Func<GrainReferenceArgs, GrainReference> createReference, IReadOnlyList<GrainMethod> methods)
    {
        InterfaceType = interfaceType;
        CreateReference = createReference;
        Methods = methods.ToDictionary(m => m.Name, StringComparer.Ordinal);
    }

    public Type InterfaceType { get; }

    internal Func<GrainReferenceArgs, GrainReference> CreateReference { get; }

    internal IReadOnlyDictionary<string, GrainMethod> Methods { get; }
}

/// <summary>
/// The process-wide list of generated grain interfaces. Generated code registers each interface from a module
/// initializer; the registry runs that initializer itself the first time it is asked about an interface whose
/// assembly has not been touched yet.
/// </summary>
public static class GrainInterfaceRegistry
{
    private static readonly ConcurrentDictionary<Type, GrainInterfaceDescription> ByType = new();
    private static readonly ConcurrentDictionary<string, GrainInterfaceDescription> ByWireName = new(StringComparer.Ordinal);

    /// <summary>Called by generated code.</summary>
    public static void Register(GrainInterfaceDescription description)
    {
        ByType.TryAdd(description.InterfaceType, description);
        ByWireName.TryAdd(WireNameOf(description.InterfaceType), description);
    }

    internal static string WireNameOf(Type interfaceType) => interfaceType.FullName ?? interfaceType.Name;

    internal static GrainInterfaceDescription Get(Type interfaceType)
    {
        if (ByType.TryGetValue(interfaceType, out var description))
            return description;

        RuntimeHelpers.RunModuleConstructor(interfaceType.Module.ModuleHandle);
        return ByType.TryGetValue(interfaceType, out description)
            ? description
            : throw new InvalidOperationException(
                $"{interfaceType.FullName} has no generated grain reference. Grain interfaces must extend IGrainWithStringKey, " +
                "and their project must reference OrleansSync.Runtime.CodeGenerator as an analyzer.");
    }

    /// <summary>Makes sure every grain interface implemented by <paramref name="grainClass"/> is registered.</summary>
    internal static void EnsureRegistered(Type grainClass)
    {
        foreach (var grainInterface in grainClass.GetInterfaces().Where(IsGrainInterface))
            Get(grainInterface);
    }

    internal static bool IsGrainInterface(Type type)
        => type.IsInterface && typeof(IGrain).IsAssignableFrom(type) && type != typeof(IGrain) && type != typeof(IGrainWithStringKey);

    internal static bool TryGetInterface(string wireName, out GrainInterfaceDescription description)
        => ByWireName.TryGetValue(wireName, out description!);

    /// <summary>A method by the wire name of the interface that declares it and its own wire name.</summary>
    internal static bool TryGetMethod(string interfaceWireName, string methodName, out GrainMethod method)
    {
        method = null!;
        return ByWireName.TryGetValue(interfaceWireName, out var description) && description.Methods.TryGetValue(methodName, out method!);
    }
}
