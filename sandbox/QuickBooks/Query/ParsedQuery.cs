namespace OrleansSync.Sandbox.QuickBooks.Query;

/// <summary>
/// A query in QuickBooks' SQL-like language, read but not yet run:
/// <c>SELECT * | count(*) FROM Entity [WHERE …] [ORDERBY …] [STARTPOSITION n] [MAXRESULTS n]</c>.
/// <see cref="Entity"/> is spelled as the query wrote it; names are case-insensitive, so
/// <see cref="ResolveEntity"/> finds its canonical form.
/// </summary>
public sealed record ParsedQuery(
    string Entity,
    bool IsCount,
    IReadOnlyList<QueryCondition> Conditions,
    IReadOnlyList<QueryOrdering> OrderBy,
    int StartPosition,
    int MaxResults)
{
    /// <summary>STARTPOSITION counts from 1.</summary>
    public const int DefaultStartPosition = 1;

    public const int DefaultMaxResults = 100;

    public const int MaxMaxResults = 1000;

    /// <summary>The canonical spelling of <see cref="Entity"/> among <paramref name="queryableEntities"/>; an unknown entity is a 4001.</summary>
    public string ResolveEntity(IEnumerable<string> queryableEntities)
    {
        var known = queryableEntities.ToList();
        return known.FirstOrDefault(name => string.Equals(name, Entity, StringComparison.OrdinalIgnoreCase))
            ?? throw QuickBooksQueryException.Invalid(
                $"'{Entity}' is not an entity that can be queried. Queryable entities: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>Whether a condition names <paramref name="property"/> (a single, top-level name such as <c>Active</c>).</summary>
    public bool HasConditionOn(string property)
        => Conditions.Any(c => c.Property.Segments.Count == 1 && string.Equals(c.Property.Segments[0], property, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A property as the query names it: <c>DisplayName</c>, <c>CustomerRef</c>, <c>MetaData.LastUpdatedTime</c>.</summary>
/// <param name="Column">Where it starts in the query text (1-based), for error messages.</param>
public sealed record PropertyPath(IReadOnlyList<string> Segments, int Column)
{
    public string Text => string.Join('.', Segments);

    public bool IsId => Segments.Count == 1 && string.Equals(Segments[0], "Id", StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Text;
}

public enum QueryOperator
{
    Equal,
    LessThan,
    GreaterThan,
    LessThanOrEqual,
    GreaterThanOrEqual,
    Like,
    In,
}

/// <summary>
/// <c>Property op Value</c>, or <c>Property IN (Value, …)</c>. <see cref="Values"/> holds one value except for
/// <see cref="QueryOperator.In"/>.
/// </summary>
public sealed record QueryCondition(PropertyPath Property, QueryOperator Operator, IReadOnlyList<QueryValue> Values)
{
    public QueryValue Value => Values[0];
}

/// <summary>One key of ORDERBY.</summary>
public sealed record QueryOrdering(PropertyPath Property, bool Descending);

/// <summary>A literal of the query: a quoted string, a bare number, true or false, or CURRENT_DATE.</summary>
public abstract record QueryValue
{
    private QueryValue()
    {
    }

    /// <summary>A single-quoted string, with its escapes (<c>\'</c>, <c>\\</c>) undone.</summary>
    public sealed record Text(string Value) : QueryValue;

    /// <summary>A bare number; <see cref="Literal"/> is how the query wrote it.</summary>
    public sealed record Number(decimal Value, string Literal) : QueryValue;

    public sealed record Boolean(bool Value) : QueryValue;

    /// <summary>CURRENT_DATE: the company's today, given when the query runs.</summary>
    public sealed record CurrentDate : QueryValue;
}
