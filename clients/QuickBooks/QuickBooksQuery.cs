using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OrleansSync.Clients.QuickBooks.Model;

namespace OrleansSync.Clients.QuickBooks;

/// <summary>
/// A query in QuickBooks' SQL-like language, built rather than concatenated: property names are checked, values
/// quoted and escaped (<c>\'</c> for a quote), pages given by <c>STARTPOSITION</c> (from 1) and <c>MAXRESULTS</c>
/// (at most 1,000). Conditions are joined with AND — the language has no OR.
/// </summary>
public sealed partial record QuickBooksQuery
{
    public const int MaxPageSize = 1000;

    private QuickBooksQuery(string entity) => Entity = entity;

    public string Entity { get; }

    public bool IsCount { get; private init; }

    public IReadOnlyList<string> Conditions { get; private init; } = [];

    public string? OrderByClause { get; private init; }

    public int? Start { get; private init; }

    public int? PageSize { get; private init; }

    public static QuickBooksQuery From<T>()
        where T : IQuickBooksEntity
        => new(T.EntityName);

    public static QuickBooksQuery From(string entity) => new(CheckName(entity));

    /// <summary><paramref name="op"/> is one of =, &lt;, &gt;, &lt;=, &gt;=, LIKE (with % as the only wildcard).</summary>
    public QuickBooksQuery Where(string property, string op, object value)
    {
        var normalized = op.Trim().ToUpperInvariant();
        if (normalized is not ("=" or "<" or ">" or "<=" or ">=" or "LIKE"))
            throw new ArgumentException($"'{op}' is not a QuickBooks query operator (=, <, >, <=, >=, LIKE).", nameof(op));
        return this with { Conditions = [.. Conditions, $"{CheckName(property)} {normalized} {Literal(value)}"] };
    }

    public QuickBooksQuery WhereIn(string property, IEnumerable<object> values)
    {
        var literals = values.Select(Literal).ToList();
        if (literals.Count == 0)
            throw new ArgumentException("IN needs at least one value.", nameof(values));
        return this with { Conditions = [.. Conditions, $"{CheckName(property)} IN ({string.Join(", ", literals)})"] };
    }

    public QuickBooksQuery OrderBy(string property, bool descending = false)
        => this with { OrderByClause = $"{CheckName(property)}{(descending ? " DESC" : "")}" };

    public QuickBooksQuery Page(int startPosition, int maxResults)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(startPosition, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResults, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxResults, MaxPageSize);
        return this with { Start = startPosition, PageSize = maxResults };
    }

    /// <summary><c>SELECT count(*)</c> instead of the entities.</summary>
    public QuickBooksQuery Count() => this with { IsCount = true };

    public override string ToString()
    {
        var text = new StringBuilder($"SELECT {(IsCount ? "count(*)" : "*")} FROM {Entity}");
        if (Conditions.Count > 0)
            text.Append(" WHERE ").AppendJoin(" AND ", Conditions);
        if (OrderByClause is not null)
            text.Append(" ORDERBY ").Append(OrderByClause);
        if (Start is { } start)
            text.Append(CultureInfo.InvariantCulture, $" STARTPOSITION {start}");
        if (PageSize is { } size)
            text.Append(CultureInfo.InvariantCulture, $" MAXRESULTS {size}");
        return text.ToString();
    }

    /// <summary>A value as the language writes it: strings and dates quoted, numbers and booleans bare.</summary>
    internal static string Literal(object value) => value switch
    {
        null => "' '",
        bool b => b ? "true" : "false",
        DateOnly date => Quote(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        DateTimeOffset moment => Quote(moment.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)),
        DateTime moment => Quote(new DateTimeOffset(moment.ToUniversalTime()).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)),
        int or long or decimal or double => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => Quote(value.ToString() ?? ""),
    };

    // A backslash is escaped too, so that a value ending in one cannot escape the closing quote.
    private static string Quote(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string CheckName(string name)
        => PropertyName().IsMatch(name) ? name : throw new ArgumentException($"'{name}' is not a QuickBooks property or entity name.", nameof(name));

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$")]
    private static partial Regex PropertyName();
}
