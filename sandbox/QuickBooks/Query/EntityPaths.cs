using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansSync.Sandbox.QuickBooks.Query;

/// <summary>
/// Finds what a query's property names in a stored entity. Names match case-insensitively at every step
/// (<c>metadata.lastupdatedtime</c> is <c>MetaData.LastUpdatedTime</c>). A property whose value is an object that
/// wraps a single value compares by that value, as in QuickBooks: a reference (<c>CustomerRef</c>) by its
/// <c>value</c>, an email (<c>PrimaryEmailAddr</c>) by its <c>Address</c>, a phone (<c>PrimaryPhone</c>) by its
/// <c>FreeFormNumber</c>, a web address (<c>WebAddr</c>) by its <c>URI</c>.
/// </summary>
internal static class EntityPaths
{
    private static readonly string[] WrappedValueNames = ["value", "Address", "FreeFormNumber", "URI"];

    /// <summary>The value a condition on <paramref name="path"/> compares with, or null when there is none to compare.</summary>
    public static JsonValue? ComparableValue(JsonObject entity, IReadOnlyList<string> path)
    {
        JsonNode? node = entity;
        foreach (var name in path)
            node = node is JsonObject parent ? Child(parent, name) : null;
        if (node is JsonObject wrapper)
            node = WrappedValue(wrapper);
        return node is JsonValue value && value.GetValueKind() != JsonValueKind.Null ? value : null;
    }

    /// <summary>The entity's <c>Id</c>.</summary>
    public static string? Id(JsonObject entity)
        => ComparableValue(entity, ["Id"]) is { } id ? QueryOperand.FromJson(id).Text : null;

    /// <summary>Every dotted path of <paramref name="entity"/> that holds a value a query can compare (arrays are not entered).</summary>
    public static IEnumerable<string> ComparablePaths(JsonObject entity, string prefix = "")
    {
        foreach (var (name, child) in entity)
        {
            var path = prefix + name;
            if (child is JsonObject inner)
            {
                if (WrappedValue(inner) is not null)
                    yield return path;
                foreach (var nested in ComparablePaths(inner, path + "."))
                    yield return nested;
            }
            else if (child is JsonValue value && value.GetValueKind() != JsonValueKind.Null)
            {
                yield return path;
            }
        }
    }

    private static JsonNode? WrappedValue(JsonObject wrapper)
    {
        foreach (var name in WrappedValueNames)
        {
            if (Child(wrapper, name) is JsonValue value)
                return value;
        }

        return null;
    }

    // The exact spelling first; otherwise the first property whose name differs only in case.
    private static JsonNode? Child(JsonObject parent, string name)
    {
        if (parent.TryGetPropertyValue(name, out var exact))
            return exact;
        foreach (var (key, value) in parent)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                return value;
        }

        return null;
    }
}
