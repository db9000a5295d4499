using System.Globalization;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// Query-string parameters read by hand (not bound by the framework), so that a bad value gets HubSpot's error body.
/// </summary>
public static class HubSpotQuery
{
    /// <summary>
    /// A list parameter: HubSpot accepts both <c>properties=a,b</c> and <c>properties=a&amp;properties=b</c>.
    /// Null when the parameter is absent (callers then use their defaults).
    /// </summary>
    public static IReadOnlyList<string>? List(HttpRequest request, string name)
    {
        if (!request.Query.TryGetValue(name, out var values))
            return null;
        return [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];
    }

    public static (bool Value, HubSpotError? Error) Flag(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
            return (false, null);
        return bool.TryParse(text, out var value)
            ? (value, null)
            : (false, HubSpotError.Validation($"Invalid value for query parameter {name}: {text}"));
    }

    /// <summary>A page size: the default when absent, capped at <paramref name="max"/>, an error when not a positive number.</summary>
    public static (int Value, HubSpotError? Error) Limit(HttpRequest request, int defaultLimit, int max)
    {
        var text = request.Query["limit"].ToString();
        if (text.Length == 0)
            return (defaultLimit, null);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1)
            return (0, HubSpotError.Validation($"Invalid value for query parameter limit: {text}"));
        return (Math.Min(limit, max), null);
    }

    /// <summary>The <c>after</c> cursor of a list: here the id (or offset) to start from.</summary>
    public static (long Value, HubSpotError? Error) After(HttpRequest request)
    {
        var text = request.Query["after"].ToString();
        if (text.Length == 0)
            return (0, null);
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var after)
            ? (after, null)
            : (0, HubSpotError.Validation($"Invalid value for query parameter after: {text}"));
    }
}
