using System.Text.Json.Nodes;

namespace OrleansSync.Sandbox.QuickBooks.Query;

/// <summary>
/// The properties a query may name for one entity type, as dotted paths compared case-insensitively. A query that
/// names any other property is refused (4001), as QuickBooks refuses a property its schema does not have.
/// </summary>
public sealed class QueryableProperties
{
    /// <summary>What every QuickBooks entity has (QUICKBOOKS-API.md §5).</summary>
    public static readonly IReadOnlyList<string> CommonToAllEntities = ["Id", "SyncToken", "MetaData.CreateTime", "MetaData.LastUpdatedTime"];

    private readonly HashSet<string> _paths;

    private QueryableProperties(IEnumerable<string> paths) => _paths = new HashSet<string>(paths, StringComparer.OrdinalIgnoreCase);

    /// <summary>Exactly these paths (e.g. "DisplayName", "CustomerRef", "MetaData.LastUpdatedTime").</summary>
    public static QueryableProperties Only(IEnumerable<string> paths) => new(paths);

    /// <summary>
    /// Any path that holds a value on at least one of <paramref name="entities"/>, those
    /// <see cref="CommonToAllEntities"/>, and <paramref name="alsoQueryable"/> — which names what a company's data may
    /// not show yet (an optional property no entity has been given, or anything at all when there are no entities).
    /// </summary>
    public static QueryableProperties PresentOn(IEnumerable<JsonObject> entities, IEnumerable<string>? alsoQueryable = null)
        => new(entities.SelectMany(e => EntityPaths.ComparablePaths(e)).Concat(CommonToAllEntities).Concat(alsoQueryable ?? []));

    public bool Contains(PropertyPath property) => _paths.Contains(property.Text);

    /// <summary>Why <paramref name="property"/> cannot be queried, in words, with what was probably meant.</summary>
    internal string Explain(PropertyPath property, string entity)
    {
        var text = property.Text;
        var problem = $"'{text}' (column {property.Column}) is not a property of {entity} that can be queried.";

        var children = _paths.Where(p => p.StartsWith(text + ".", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.OrdinalIgnoreCase).Take(3).ToList();
        if (children.Count > 0)
            return $"{problem} It is an object: query one of its properties, such as {string.Join(" or ", children)}.";

        var closest = _paths
            .Select(p => (Path: p, Distance: EditDistance(p.ToUpperInvariant(), text.ToUpperInvariant())))
            .Where(c => c.Distance <= Math.Max(2, text.Length / 4))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Path, StringComparer.OrdinalIgnoreCase)
            .Select(c => c.Path)
            .FirstOrDefault();
        return closest is null ? problem : $"{problem} Did you mean '{closest}'?";
    }

    // Levenshtein distance, for the "did you mean".
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
