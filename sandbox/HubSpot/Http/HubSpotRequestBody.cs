using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// Reads a JSON request body without the framework's binding, so that a malformed body gets HubSpot's 400 (with the
/// parser's complaint and its position) instead of an empty ASP.NET Core 400.
/// </summary>
public static class HubSpotRequestBody
{
    public static async Task<(T? Value, HubSpotError? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type)
        where T : class
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        if (buffer.Length == 0)
            return (null, HubSpotError.InvalidJson("No content to map due to end-of-input"));

        try
        {
            var value = JsonSerializer.Deserialize(buffer.ToArray(), type);
            return value is null ? (null, HubSpotError.InvalidJson("The body is null.")) : (value, null);
        }
        catch (JsonException exception)
        {
            var line = (exception.LineNumber ?? 0) + 1;
            var column = (exception.BytePositionInLine ?? 0) + 1;
            var problem = exception.Message.Split(" Path:", 2)[0];
            return (null, HubSpotError.Validation($"Invalid input JSON on line {line}, column {column}: {problem}"));
        }
    }

    /// <summary>
    /// A property value as HubSpot stores it: a string. Requests may send numbers and booleans too; null clears like
    /// an empty string.
    /// </summary>
    public static string? PropertyValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => null,
    };

    /// <summary>The properties of a create or update body; an object or array as a value is refused.</summary>
    public static (IReadOnlyDictionary<string, string>? Values, HubSpotError? Error) Properties(IReadOnlyDictionary<string, JsonElement>? properties)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, raw) in properties ?? new Dictionary<string, JsonElement>())
        {
            if (PropertyValue(raw) is not { } value)
                return (null, HubSpotError.Validation($"Invalid input JSON on line 1, column 1: Cannot deserialize value of type `java.lang.String` from {raw.ValueKind} value for property {name}"));
            values[name] = value;
        }

        return (values, null);
    }

    /// <summary>A numeric id or offset that may come as a JSON string or number (<c>"after": 0</c> or <c>"10"</c>).</summary>
    public static string? Text(JsonElement? value) => value is not { } element ? null : element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    public static bool TryParseCount(string? text, out int count)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count);
}
