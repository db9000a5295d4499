using System.Globalization;
using System.Text.Json;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>One rejected property value: an entry of HubSpot's "Property values were not valid" list.</summary>
public sealed record PropertyProblem(string Name, string Error, string Message);

/// <summary>
/// How HubSpot checks and stores property values: by the definition's type (numbers, dates at midnight UTC, ISO
/// datetimes, enumeration options, <c>;</c>-separated checkboxes), refusing unknown and read-only properties. An
/// empty string clears a value.
/// </summary>
public static class PropertyValueRules
{
    public const string PropertyDoesntExist = "PROPERTY_DOESNT_EXIST";
    public const string ReadOnlyValue = "READ_ONLY_VALUE";
    public const string InvalidOption = "INVALID_OPTION";
    public const string InvalidDate = "INVALID_DATE";
    public const string RequiredProperty = "REQUIRED_PROPERTY";

    // The codes below are our wording: HubSpot's for bad numbers, booleans and emails are not in our sources.
    public const string InvalidNumber = "INVALID_DECIMAL";
    public const string InvalidBoolean = "INVALID_BOOLEAN";
    public const string InvalidEmail = "INVALID_EMAIL";

    /// <summary>The value to store, or why it cannot be.</summary>
    public static (string? Value, PropertyProblem? Problem) Normalize(PropertyDefinition? definition, string name, string raw, string? current, bool allowReadOnly)
    {
        if (definition is null)
            return Problem(name, PropertyDoesntExist, $"Property \"{name}\" does not exist");
        if (definition.ReadOnlyValue && !allowReadOnly)
            return Problem(name, ReadOnlyValue, $"\"{name}\" is a read only property; its value cannot be set.");
        if (raw.Length == 0)
            return ("", null);

        var value = raw.Trim();
        return definition.Type switch
        {
            PropertyTypes.Number => decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                ? (value, null)
                : Problem(name, InvalidNumber, $"{raw} was not a valid number."),
            PropertyTypes.Bool => bool.TryParse(value, out var flag)
                ? (flag ? "true" : "false", null)
                : Problem(name, InvalidBoolean, $"{raw} was not a valid boolean."),
            PropertyTypes.Date => NormalizeDate(name, value),
            PropertyTypes.DateTime => HubSpotTime.TryParseInstant(value, out var instant)
                ? (HubSpotTime.Format(instant), null)
                : Problem(name, InvalidDate, $"{raw} is not a valid datetime: send epoch milliseconds or ISO 8601 (2020-02-29T03:30:17.000Z)."),
            PropertyTypes.Enumeration => NormalizeOption(definition, value, current),
            _ when name == "email" => value.IndexOf('@') is > 0 and var at && at < value.Length - 1 && !value.Contains(' ', StringComparison.Ordinal)
                ? (value, null)
                : Problem(name, InvalidEmail, $"Email address {raw} is invalid"),
            _ => (raw, null),
        };
    }

    /// <summary>
    /// HubSpot's 400 for rejected values: the list of problems as JSON inside the message (which is what clients parse),
    /// and the same as structured <c>errors</c>.
    /// </summary>
    public static HubSpotError ToError(long portalId, IReadOnlyList<PropertyProblem> problems)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            foreach (var problem in problems)
            {
                writer.WriteStartObject();
                writer.WriteBoolean("isValid", false);
                writer.WriteString("message", problem.Message);
                writer.WriteString("error", problem.Error);
                writer.WriteString("name", problem.Name);
                if (problem.Error == PropertyDoesntExist)
                {
                    writer.WriteString("localizedErrorMessage", problem.Message);
                    writer.WriteNumber("portalId", portalId);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        var list = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        var details = problems
            .Select(p => new HubSpotErrorDetail(p.Message, p.Error, Context: new Dictionary<string, IReadOnlyList<string>> { ["propertyName"] = [p.Name] }))
            .ToList();
        return HubSpotError.Validation($"Property values were not valid: {list}", details);
    }

    private static (string?, PropertyProblem?) NormalizeDate(string name, string value)
    {
        if (!HubSpotTime.TryParseInstant(value, out var instant))
            return Problem(name, InvalidDate, $"{value} is not a valid date: send yyyy-MM-dd or epoch milliseconds at midnight UTC.");
        var utc = instant.UtcDateTime;
        if (utc.TimeOfDay != TimeSpan.Zero)
            return Problem(name, InvalidDate, $"{value} is at {utc.Hour}:{utc.Minute}:{utc.Second}.{utc.Millisecond} UTC, not midnight!");
        return (HubSpotTime.FormatDate(DateOnly.FromDateTime(utc)), null);
    }

    private static (string?, PropertyProblem?) NormalizeOption(PropertyDefinition definition, string value, string? current)
    {
        if (definition.ExternalOptions)
            return (value, null);
        if (definition.FieldType == "booleancheckbox" && definition.Options.Count == 0)
        {
            return bool.TryParse(value, out var flag)
                ? (flag ? "true" : "false", null)
                : Problem(definition.Name, InvalidOption, $"{value} was not one of the allowed options: [true, false]");
        }

        var allowed = definition.Options.Select(o => o.Value).ToList();
        if (definition.FieldType != "checkbox")
        {
            if (allowed.Contains(value, StringComparer.Ordinal))
                return (value, null);
            return definition.Name == "dealstage"
                ? Problem(definition.Name, InvalidOption, $"{value} is not a valid pipeline stage ID. Valid options are: pipelineId=default : [{string.Join(", ", allowed)}]")
                : Problem(definition.Name, InvalidOption, $"{value} was not one of the allowed options: [{string.Join(", ", allowed)}]");
        }

        // Multiple checkboxes: values separated by ';'; a leading ';' adds to what is already checked.
        var append = value.StartsWith(';');
        var chosen = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var option in chosen)
        {
            if (!allowed.Contains(option, StringComparer.Ordinal))
                return Problem(definition.Name, InvalidOption, $"{option} was not one of the allowed options: [{string.Join(", ", allowed)}]");
        }

        var values = append && !string.IsNullOrEmpty(current) ? current.Split(';').Concat(chosen) : chosen;
        return (string.Join(';', values.Distinct(StringComparer.Ordinal)), null);
    }

    private static (string?, PropertyProblem?) Problem(string name, string error, string message) => (null, new PropertyProblem(name, error, message));
}
