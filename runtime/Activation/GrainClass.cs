using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime.State;
using OrleansSync.Runtime.Storage;

namespace OrleansSync.Runtime.Activation;

/// <summary>
/// How to build one grain class: its constructor, with <see cref="IPersistentState{TState}"/> parameters filled by
/// the runtime and everything else from dependency injection. Worked out once, when the silo starts.
/// </summary>
internal sealed class GrainClass
{
    private readonly ObjectFactory _factory;
    private readonly StateParameter[] _states;

    private GrainClass(Type classType, ObjectFactory factory, StateParameter[] states)
    {
        ClassType = classType;
        GrainType = GrainType.Of(classType);
        _factory = factory;
        _states = states;
    }

    public Type ClassType { get; }

    public GrainType GrainType { get; }

    public bool IsRemindable => typeof(IRemindable).IsAssignableFrom(ClassType);

    /// <summary>
    /// The dashboard's call statistics of this class's methods, by <see cref="GrainMethod.Ordinal"/>: how a watched call
    /// finds them without a dictionary lookup. Filled and replaced (never changed in place) by
    /// <see cref="Metrics.GrainCallMetrics"/>.
    /// </summary>
    public Metrics.MethodCallStats?[] CallStats = [];

    /// <summary>
    /// The same statistics in the order their methods were first observed (<see cref="Metrics.MethodCallStats.Slot"/>):
    /// an observed activation notes its calls in an array of that order (<see cref="Metrics.ObservedActivation"/>).
    /// Replaced, never changed in place.
    /// </summary>
    public Metrics.MethodCallStats[] CallStatsBySlot = [];

    public static GrainClass Create(Type classType)
    {
        if (!typeof(Grain).IsAssignableFrom(classType) || classType.IsAbstract)
            throw new ArgumentException($"{classType.FullName} is not a concrete subclass of Grain.", nameof(classType));

        var constructors = classType.GetConstructors();
        if (constructors.Length != 1)
            throw new ArgumentException($"Grain class {classType.FullName} must have exactly one public constructor.", nameof(classType));

        var states = constructors[0].GetParameters()
            .Where(p => p.GetCustomAttribute<PersistentStateAttribute>() is not null)
            .Select(p => StateParameter.Create(classType, p))
            .ToArray();

        var duplicate = states.GroupBy(s => s.ParameterType).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Grain class {classType.FullName} has two persistent states of type {duplicate.Key.GenericTypeArguments[0].Name}; give each state its own type.", nameof(classType));

        var factory = ActivatorUtilities.CreateFactory(classType, states.Select(s => s.ParameterType).ToArray());
        return new GrainClass(classType, factory, states);
    }

    public (Grain Grain, IActivationState[] States) CreateInstance(ActivationData activation, IServiceProvider services)
    {
        var states = new object[_states.Length];
        for (var i = 0; i < _states.Length; i++)
            states[i] = _states[i].Create(activation, services);

        var grain = Grain.Construct(activation, () => (Grain)_factory(services, states));
        return (grain, states.Cast<IActivationState>().ToArray());
    }

    public override string ToString() => $"{GrainType} ({ClassType.Name})";

    /// <summary>A constructor parameter marked <see cref="PersistentStateAttribute"/>.</summary>
    private sealed class StateParameter
    {
        private static readonly MethodInfo CreateStateMethod = typeof(StateParameter).GetMethod(nameof(CreateState), BindingFlags.NonPublic | BindingFlags.Static)!;

        private readonly PersistentStateAttribute _attribute;
        private readonly Func<string, ActivationData, IGrainStorage, object> _createState;

        private StateParameter(Type parameterType, PersistentStateAttribute attribute, Func<string, ActivationData, IGrainStorage, object> createState)
        {
            ParameterType = parameterType;
            _attribute = attribute;
            _createState = createState;
        }

        public Type ParameterType { get; }

        public static StateParameter Create(Type classType, ParameterInfo parameter)
        {
            var attribute = parameter.GetCustomAttribute<PersistentStateAttribute>()!;
            var type = parameter.ParameterType;
            if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(IPersistentState<>))
                throw new ArgumentException($"{classType.FullName}: parameter '{parameter.Name}' has [PersistentState] but is not an IPersistentState<T>.", nameof(parameter));

            var stateType = type.GenericTypeArguments[0];
            if (stateType.GetConstructor(Type.EmptyTypes) is null && !stateType.IsValueType)
                throw new ArgumentException($"{classType.FullName}: state type {stateType.Name} needs a public parameterless constructor.", nameof(parameter));

            var create = CreateStateMethod.MakeGenericMethod(stateType).CreateDelegate<Func<string, ActivationData, IGrainStorage, object>>();
            return new StateParameter(type, attribute, create);
        }

        public object Create(ActivationData activation, IServiceProvider services)
        {
            var storage = services.GetKeyedService<IGrainStorage>(_attribute.StorageName)
                ?? throw new InvalidOperationException($"No grain storage named '{_attribute.StorageName}' is registered (state '{_attribute.StateName}' of {activation.GrainClass}).");
            return _createState(_attribute.StateName, activation, storage);
        }

        private static object CreateState<TState>(string stateName, ActivationData activation, IGrainStorage storage)
            => new PersistentState<TState>(stateName, activation, storage);
    }
}
