using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// HubSpot's CRM search: filter groups (OR of groups, AND within a group), one or more sorts, a free-text
/// <c>query</c> over the type's main properties, pages of at most 200, and no paging past 10,000 results.
/// Values compare as numbers when both sides are numbers, as instants when the property is a date (or both sides look
/// like dates), else as case-insensitive text.
/// </summary>
public static class CrmSearch
{
    public const int MaxLimit = 200;
    public const int MaxResults = 10_000;
    public const int MaxQueryLength = 3000;

    public static readonly IReadOnlyList<string> Operators =
        ["EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"];

    private sealed record Filter(string PropertyName, string Operator, string? Value, string? HighValue, IReadOnlyList<string> Values);

    private sealed record Sort(string PropertyName, bool Descending);

    public static (SearchPage? Page, HubSpotError? Error) Run(HubSpotPortal portal, CrmObjectType type, SearchRequest request, HubSpotSandboxOptions options)
    {
        var (groups, filterError) = Filters(request, options);
        var (sorts, sortError) = Sorts(request.Sorts);
        var (limit, limitError) = Limit(request.Limit);
        var (after, afterError) = After(request.After);
        var queryError = request.Query is { Length: > MaxQueryLength } ? HubSpotError.Validation($"query must be at most {MaxQueryLength} characters.") : null;
        if ((filterError ?? sortError ?? limitError ?? afterError ?? queryError) is { } error)
            return (null, error);

        var queryTerms = Tokens(request.Query ?? "");
        var matches = portal.Objects.All(type)
            .Where(o => groups!.Count == 0 || groups.Any(g => g.All(f => Matches(portal, o, f))))
            .Where(o => queryTerms.Count == 0 || MatchesQuery(o, queryTerms))
            .ToList();
        matches.Sort((a, b) => Order(portal, a, b, sorts!));

        var view = new ObjectViewRequest(request.Properties);
        var pageEnd = Math.Min(Math.Min(after + limit, matches.Count), MaxResults);
        var results = matches.Skip(after).Take(Math.Max(0, pageEnd - after)).Select(o => CrmObjectViews.View(portal, o, view)).ToList();
        var next = limit > 0 && pageEnd < matches.Count && pageEnd < MaxResults
            ? new Paging(new NextPage(pageEnd.ToString(CultureInfo.InvariantCulture)))
            : null;
        return (new SearchPage(matches.Count, results, next), null);
    }

    private static (List<List<Filter>>? Groups, HubSpotError? Error) Filters(SearchRequest request, HubSpotSandboxOptions options)
    {
        // The API also takes a bare "filters" list (all ANDed), as one group.
        var groups = request.FilterGroups ?? (request.Filters is { } bare ? [new SearchFilterGroup(bare)] : []);
        if (groups.Count > options.SearchFilterGroups)
            return (null, HubSpotError.Validation($"Too many filter groups: {groups.Count} given, at most {options.SearchFilterGroups} are allowed."));
        if (groups.FirstOrDefault(g => (g.Filters?.Count ?? 0) > options.SearchFiltersPerGroup) is { } crowded)
            return (null, HubSpotError.Validation($"Too many filters in a group: {crowded.Filters!.Count} given, at most {options.SearchFiltersPerGroup} are allowed per group."));
        var total = groups.Sum(g => g.Filters?.Count ?? 0);
        if (total > options.SearchFiltersTotal)
            return (null, HubSpotError.Validation($"Too many filters: {total} given, at most {options.SearchFiltersTotal} are allowed in all."));

        var parsed = new List<List<Filter>>();
        foreach (var group in groups)
        {
            var filters = new List<Filter>();
            foreach (var filter in group.Filters ?? [])
            {
                var (parsedFilter, error) = Parse(filter);
                if (error is not null)
                    return (null, error);
                filters.Add(parsedFilter!);
            }

            parsed.Add(filters);
        }

        return (parsed, null);
    }

    private static (Filter? Filter, HubSpotError? Error) Parse(SearchFilter filter)
    {
        if (string.IsNullOrEmpty(filter.PropertyName))
            return (null, Invalid("propertyName is required"));
        var op = filter.Operator ?? "EQ";
        if (!Operators.Contains(op, StringComparer.Ordinal))
            return (null, Invalid($"Cannot deserialize value of type `FilterOperator` from String \"{op}\": not one of the values accepted for Enum class: [{string.Join(", ", Operators)}]"));

        var value = HubSpotRequestBody.Text(filter.Value);
        var highValue = HubSpotRequestBody.Text(filter.HighValue);
        var values = (filter.Values ?? []).Select(v => HubSpotRequestBody.Text(v) ?? "").ToList();
        var needs = op switch
        {
            "BETWEEN" when value is null || highValue is null => "requires a value and a highValue",
            "IN" or "NOT_IN" when values.Count == 0 => "requires values",
            "HAS_PROPERTY" or "NOT_HAS_PROPERTY" or "BETWEEN" or "IN" or "NOT_IN" => null,
            _ when value is null => "requires a value",
            _ => null,
        };
        return needs is null
            ? (new Filter(filter.PropertyName, op, value, highValue, values), null)
            : (null, Invalid($"operator {op} {needs}"));
    }

    private static HubSpotError Invalid(string problem)
        => HubSpotError.Validation($"Invalid input JSON on line 1, column 1: Cannot construct instance of `com.hubspot.inbounddb.publicobject.core.v3.search.Filter`, problem: {problem}");

    /// <summary>Sorts come as objects (<c>{propertyName, direction}</c>) or as names (<c>"createdate"</c>, <c>"-createdate"</c>).</summary>
    private static (List<Sort>? Sorts, HubSpotError? Error) Sorts(List<JsonElement>? sorts)
    {
        var parsed = new List<Sort>();
        foreach (var sort in sorts ?? [])
        {
            if (sort.ValueKind == JsonValueKind.String && sort.GetString() is { Length: > 0 } name)
            {
                parsed.Add(name.StartsWith('-') ? new Sort(name[1..], true) : new Sort(name, false));
                continue;
            }

            if (sort.ValueKind != JsonValueKind.Object || !sort.TryGetProperty("propertyName", out var property) || property.GetString() is not { Length: > 0 } propertyName)
                return (null, HubSpotError.Validation("Invalid input JSON on line 1, column 1: a sort needs a propertyName"));
            var direction = sort.TryGetProperty("direction", out var d) ? d.GetString() : "ASCENDING";
            if (direction is not ("ASCENDING" or "DESCENDING"))
                return (null, HubSpotError.Validation($"Invalid input JSON on line 1, column 1: Cannot deserialize value of type `Direction` from String \"{direction}\": not one of the values accepted for Enum class: [ASCENDING, DESCENDING]"));
            parsed.Add(new Sort(propertyName, direction == "DESCENDING"));
        }

        return (parsed, null);
    }

    private static (int Limit, HubSpotError? Error) Limit(JsonElement? limit)
    {
        var text = HubSpotRequestBody.Text(limit);
        if (text is null)
            return (10, null);
        if (!HubSpotRequestBody.TryParseCount(text, out var count))
            return (0, HubSpotError.Validation($"Invalid input JSON on line 1, column 1: limit must be a number between 0 and {MaxLimit} ({text} given)"));
        return count > MaxLimit
            ? (0, HubSpotError.Validation($"limit must be less than or equal to {MaxLimit}, got {count}"))
            : (count, null);
    }

    /// <summary>The cursor is an offset into the results; HubSpot refuses to page beyond 10,000 with a 400.</summary>
    private static (int After, HubSpotError? Error) After(JsonElement? after)
    {
        var text = HubSpotRequestBody.Text(after);
        if (string.IsNullOrEmpty(text))
            return (0, null);
        if (!HubSpotRequestBody.TryParseCount(text, out var offset))
            return (0, HubSpotError.Validation($"Invalid input JSON on line 1, column 1: after must be a paging cursor from an earlier answer ({text} given)"));
        return offset >= MaxResults
            ? (0, HubSpotError.Validation($"Paging beyond {MaxResults} results is not supported: narrow the search (after={offset})."))
            : (offset, null);
    }

    private static bool Matches(HubSpotPortal portal, CrmObject record, Filter filter)
    {
        var values = Values(portal, record, filter.PropertyName);
        var dateLike = portal.Properties.Find(record.Type, filter.PropertyName)?.Type is PropertyTypes.Date or PropertyTypes.DateTime;
        bool Any(Func<string, bool> test) => values.Any(test);
        int Compared(string actual, string wanted) => Compare(actual, wanted, dateLike);

        return filter.Operator switch
        {
            "EQ" => Any(v => Compared(v, filter.Value!) == 0),
            "NEQ" => !Any(v => Compared(v, filter.Value!) == 0),
            "LT" => Any(v => Compared(v, filter.Value!) < 0),
            "LTE" => Any(v => Compared(v, filter.Value!) <= 0),
            "GT" => Any(v => Compared(v, filter.Value!) > 0),
            "GTE" => Any(v => Compared(v, filter.Value!) >= 0),
            "BETWEEN" => Any(v => Compared(v, filter.Value!) >= 0 && Compared(v, filter.HighValue!) <= 0),
            "IN" => Any(v => filter.Values.Any(w => Compared(v, w) == 0)),
            "NOT_IN" => !Any(v => filter.Values.Any(w => Compared(v, w) == 0)),
            "HAS_PROPERTY" => values.Count > 0,
            "NOT_HAS_PROPERTY" => values.Count == 0,
            "CONTAINS_TOKEN" => Any(v => ContainsToken(v, filter.Value!)),
            "NOT_CONTAINS_TOKEN" => !Any(v => ContainsToken(v, filter.Value!)),
            _ => false,
        };
    }

    /// <summary>A property's value, or, for <c>associations.deal</c>-style names, the ids of the associated records.</summary>
    private static IReadOnlyList<string> Values(HubSpotPortal portal, CrmObject record, string propertyName)
    {
        if (propertyName.StartsWith("associations.", StringComparison.Ordinal))
        {
            var singular = propertyName["associations.".Length..];
            return CrmObjectTypes.All.FirstOrDefault(t => t.Singular == singular) is { } toType
                ? [.. portal.Associations.Targets(record.Type, record.Id, toType).Select(t => t.ToId.ToString(CultureInfo.InvariantCulture))]
                : [];
        }

        return record.Get(propertyName) is { } value ? [value] : [];
    }

    public static int Compare(string actual, string wanted, bool dateLike)
    {
        if (!dateLike && decimal.TryParse(actual, NumberStyles.Float, CultureInfo.InvariantCulture, out var a) && decimal.TryParse(wanted, NumberStyles.Float, CultureInfo.InvariantCulture, out var w))
            return a.CompareTo(w);
        if ((dateLike || (LooksLikeDate(actual) && LooksLikeDate(wanted)))
            && HubSpotTime.TryParseInstant(actual, out var actualInstant) && HubSpotTime.TryParseInstant(wanted, out var wantedInstant))
            return actualInstant.CompareTo(wantedInstant);
        return string.Compare(actual, wanted, StringComparison.OrdinalIgnoreCase);
    }

    private static bool LooksLikeDate(string value) => value.Length >= 10 && value[4] == '-' && value[7] == '-' && char.IsAsciiDigit(value[0]);

    /// <summary>
    /// A token match: the filter's words appear together among the value's words (split on anything but letters and
    /// digits), case-insensitively; <c>*</c> is a wildcard.
    /// </summary>
    private static bool ContainsToken(string actual, string wanted)
    {
        if (wanted.Contains('*', StringComparison.Ordinal))
        {
            var pattern = new Regex("^" + Regex.Escape(wanted).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            return pattern.IsMatch(actual) || Tokens(actual).Any(pattern.IsMatch);
        }

        var words = Tokens(actual);
        var sought = Tokens(wanted);
        if (sought.Count == 0)
            return false;
        for (var start = 0; start + sought.Count <= words.Count; start++)
        {
            if (sought.Select((s, i) => words[start + i] == s).All(x => x))
                return true;
        }

        return false;
    }

    /// <summary>Free text: every word of the query starts a word of one of the type's main properties.</summary>
    private static bool MatchesQuery(CrmObject record, IReadOnlyList<string> terms)
    {
        var words = record.Type.QueryProperties.SelectMany(p => Tokens(record.Get(p) ?? "")).ToList();
        return terms.All(term => words.Any(w => w.StartsWith(term, StringComparison.Ordinal)));
    }

    private static List<string> Tokens(string text)
        => [.. Regex.Split(text.ToLowerInvariant(), "[^\\p{L}\\p{Nd}]+", RegexOptions.None, TimeSpan.FromSeconds(1)).Where(t => t.Length > 0)];

    /// <summary>The asked-for order (records without the value last), then by id.</summary>
    private static int Order(HubSpotPortal portal, CrmObject a, CrmObject b, IReadOnlyList<Sort> sorts)
    {
        foreach (var sort in sorts)
        {
            var left = Values(portal, a, sort.PropertyName).FirstOrDefault();
            var right = Values(portal, b, sort.PropertyName).FirstOrDefault();
            if (left is null || right is null)
            {
                if (left is null && right is null)
                    continue;
                return left is null ? 1 : -1;
            }

            var dateLike = portal.Properties.Find(a.Type, sort.PropertyName)?.Type is PropertyTypes.Date or PropertyTypes.DateTime;
            var compared = Compare(left, right, dateLike);
            if (compared != 0)
                return sort.Descending ? -compared : compared;
        }

        return a.Id.CompareTo(b.Id);
    }
}
