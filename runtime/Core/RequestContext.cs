namespace OrleansSync.Runtime;

/// <summary>
/// Values that travel with a chain of grain calls — within a silo through the execution context, and across silos
/// in a header — such as the cause of a change for the audit trail.
/// </summary>
public static class RequestContext
{
    private static readonly AsyncLocal<IReadOnlyDictionary<string, string>?> Current = new();

    public static string? Get(string key) => Current.Value is { } values && values.TryGetValue(key, out var value) ? value : null;

    public static void Set(string key, string? value)
    {
        var values = Current.Value is { } existing ? new Dictionary<string, string>(existing, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);
        if (value is null)
            values.Remove(key);
        else
            values[key] = value;
        Current.Value = values.Count == 0 ? null : values;
    }

    /// <summary>Everything currently set, or <c>null</c>.</summary>
    public static IReadOnlyDictionary<string, string>? Export() => Current.Value;

    internal static void Import(IReadOnlyDictionary<string, string>? values) => Current.Value = values is { Count: > 0 } ? values : null;
}
