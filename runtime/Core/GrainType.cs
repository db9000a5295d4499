using System.Reflection;

namespace OrleansSync.Runtime;

/// <summary>
/// The stable name of a grain class. It is part of every durable key (state rows, reminders), so it must not change
/// when a class is renamed: pin it with <see cref="GrainTypeAttribute"/> where that matters.
/// </summary>
public readonly record struct GrainType
{
    public GrainType(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Value = value;
    }

    public string Value { get; }

    /// <summary><c>[GrainType("deal")]</c> if present, otherwise the class name without a trailing "Grain", lower-cased.</summary>
    public static GrainType Of(Type grainClass)
    {
        if (grainClass.GetCustomAttribute<GrainTypeAttribute>() is { } attribute)
            return new GrainType(attribute.Name);

        var name = grainClass.Name;
        if (name.EndsWith("Grain", StringComparison.Ordinal) && name.Length > "Grain".Length)
            name = name[..^"Grain".Length];
        return new GrainType(name.ToLowerInvariant());
    }

    public override string ToString() => Value;
}

/// <summary>Pins the durable name of a grain class (see <see cref="GrainType"/>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
