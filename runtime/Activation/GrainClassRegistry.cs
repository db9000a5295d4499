namespace OrleansSync.Runtime.Activation;

/// <summary>The grain classes a silo hosts, found by interface (for calls) and by grain type (for reminders).</summary>
internal sealed class GrainClassRegistry
{
    private readonly Dictionary<Type, GrainClass> _byInterface = [];
    private readonly Dictionary<GrainType, GrainClass> _byType = [];
    private readonly HashSet<Type> _ambiguous = [];

    public GrainClassRegistry(IEnumerable<Type> grainClasses)
    {
        foreach (var classType in grainClasses.Distinct())
        {
            var grainClass = GrainClass.Create(classType);
            if (!_byType.TryAdd(grainClass.GrainType, grainClass))
                throw new InvalidOperationException($"Grain classes {_byType[grainClass.GrainType].ClassType.FullName} and {classType.FullName} share grain type '{grainClass.GrainType}'; pin one with [GrainType].");

            GrainInterfaceRegistry.EnsureRegistered(classType);
            foreach (var grainInterface in classType.GetInterfaces().Where(GrainInterfaceRegistry.IsGrainInterface))
            {
                // An interface implemented by several classes (IRemindable) cannot name a grain on its own.
                if (!_byInterface.TryAdd(grainInterface, grainClass))
                    _ambiguous.Add(grainInterface);
            }
        }
    }

    public IEnumerable<GrainClass> All => _byType.Values;

    public GrainClass Get(GrainType grainType)
        => _byType.TryGetValue(grainType, out var grainClass)
            ? grainClass
            : throw new InvalidOperationException($"No grain class with grain type '{grainType}' is registered on this silo.");

    public GrainClass Get(Type grainInterface)
    {
        if (_ambiguous.Contains(grainInterface))
            throw new InvalidOperationException($"Several grain classes implement {grainInterface.FullName}; call the grain through an interface only one class implements.");
        return _byInterface.TryGetValue(grainInterface, out var grainClass)
            ? grainClass
            : throw new InvalidOperationException($"No grain class implementing {grainInterface.FullName} is registered on this silo.");
    }
}
