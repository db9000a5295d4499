using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OrleansSync.Sandbox.QuickBooks.Query;

/// <summary>
/// One side of a comparison — a value of an entity or of the query — with every reading of it the rules may need.
/// <para>
/// The rules, in order (<see cref="Compare"/>); the first that applies decides:
/// </para>
/// <list type="number">
/// <item>Numbers, as decimals, when both sides read as numbers and at least one is declared a number (a JSON number
/// or a bare literal). So <c>Balance &gt; '100'</c> is numeric, but two strings such as DocNumbers "9" and "10"
/// compare as text, as they would in QuickBooks where DocNumber is a string.</item>
/// <item>Dates, when both sides are dates (<c>yyyy-MM-dd</c>, or CURRENT_DATE) or date-times (ISO 8601): two
/// date-times compare as instants, whatever their offsets; a date against a date-time compares with the date-time's
/// date as written (in its own offset).</item>
/// <item>Otherwise text, case-insensitively (ordinal). Booleans need no rule of their own: as text they are "true"
/// and "false", so <c>Active = false</c>, <c>Active = 'FALSE'</c> and ORDERBY Active (false first) come out right.</item>
/// </list>
/// </summary>
/// <param name="IsDeclaredNumber">A JSON number or a bare number of the query, not text that happens to read as one.</param>
internal readonly partial record struct QueryOperand(
    string Text,
    bool IsDeclaredNumber,
    decimal? Number,
    DateOnly? Date,
    DateTimeOffset? Moment)
{
    public static QueryOperand FromText(string text)
        => new(text, IsDeclaredNumber: false, ParseNumber(text), ParseDate(text), ParseMoment(text));

    public static QueryOperand FromJson(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.Number:
                var raw = value.ToJsonString();
                return new(raw, IsDeclaredNumber: true, ParseNumber(raw), null, null);
            case JsonValueKind.True:
                return new("true", IsDeclaredNumber: false, null, null, null);
            case JsonValueKind.False:
                return new("false", IsDeclaredNumber: false, null, null, null);
            default:
                return FromText(StringOf(value));
        }
    }

    public static QueryOperand FromQuery(QueryValue value, DateOnly today) => value switch
    {
        QueryValue.Text text => FromText(text.Value),
        QueryValue.Number number => new(number.Literal, IsDeclaredNumber: true, number.Value, null, null),
        QueryValue.Boolean flag => new(flag.Value ? "true" : "false", IsDeclaredNumber: false, null, null, null),
        QueryValue.CurrentDate => new(today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), false, null, today, null),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>Negative, zero or positive as <paramref name="a"/> sorts before, with or after <paramref name="b"/>.</summary>
    public static int Compare(in QueryOperand a, in QueryOperand b)
    {
        if (a.Number is { } x && b.Number is { } y && (a.IsDeclaredNumber || b.IsDeclaredNumber))
            return x.CompareTo(y);
        if (a.IsTemporal && b.IsTemporal)
            return CompareTemporal(a, b);
        return string.Compare(a.Text, b.Text, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>LIKE: case-insensitive, <c>%</c> matches any run of characters (including none); nothing else is a wildcard.</summary>
    public static bool Like(string text, string pattern)
    {
        var parts = pattern.Split('%');
        if (parts.Length == 1)
            return string.Equals(text, pattern, StringComparison.OrdinalIgnoreCase);
        if (!text.StartsWith(parts[0], StringComparison.OrdinalIgnoreCase))
            return false;
        var position = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = text.IndexOf(parts[i], position, StringComparison.OrdinalIgnoreCase);
            if (found < 0)
                return false;
            position = found + parts[i].Length;
        }

        var last = parts[^1];
        return text.Length - position >= last.Length && text.EndsWith(last, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Ids are numbers held in strings: they sort as numbers; any that are not sort after, as text.</summary>
    public static int CompareIds(string? a, string? b)
    {
        if (a is null || b is null)
            return (a is null).CompareTo(b is null);
        var x = ParseNumber(a);
        var y = ParseNumber(b);
        if (x is not null && y is not null)
            return x.Value.CompareTo(y.Value);
        if (x is not null || y is not null)
            return x is not null ? -1 : 1;
        return string.Compare(a, b, StringComparison.OrdinalIgnoreCase);
    }

    private bool IsTemporal => Date is not null || Moment is not null;

    private static int CompareTemporal(in QueryOperand a, in QueryOperand b)
    {
        if (a.Moment is { } m && b.Moment is { } n)
            return m.CompareTo(n);
        var left = a.Date ?? DateOnly.FromDateTime(a.Moment!.Value.DateTime);
        var right = b.Date ?? DateOnly.FromDateTime(b.Moment!.Value.DateTime);
        return left.CompareTo(right);
    }

    private static string StringOf(JsonValue value)
    {
        if (value.TryGetValue<string>(out var text))
            return text;

        // A node built in code around a non-string CLR value (a DateTime, say) that JSON writes as a string.
        using var document = JsonDocument.Parse(value.ToJsonString());
        return document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString()! : document.RootElement.GetRawText();
    }

    private static decimal? ParseNumber(string text)
        => decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static DateOnly? ParseDate(string text)
        => text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    // A date-time without an offset is taken as UTC. QuickBooks writes offsets everywhere and our client always sends
    // one; what the real service assumes when a query leaves it out is unconfirmed.
    private static DateTimeOffset? ParseMoment(string text)
        => DateTimePattern().IsMatch(text)
           && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment)
            ? moment
            : null;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();
}
