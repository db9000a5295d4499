using System.Text.Json.Serialization;

namespace OrleansSync.Sandbox.HubSpot;

public sealed record PropertyOption(string Label, string Value, string? Description = null, int DisplayOrder = 0, bool Hidden = false);

/// <summary>What may be changed about a property and its values (HubSpot's <c>modificationMetadata</c>).</summary>
public sealed record PropertyModificationMetadata(bool Archivable, bool ReadOnlyDefinition, bool ReadOnlyValue);

/// <summary>
/// A property definition, shaped as the properties API returns it. Immutable: an update replaces the definition.
/// </summary>
public sealed record PropertyDefinition(
    string Name,
    string Label,
    string Type,
    string FieldType,
    string GroupName,
    string Description,
    IReadOnlyList<PropertyOption> Options,
    int DisplayOrder,
    bool Calculated,
    bool ExternalOptions,
    bool HasUniqueValue,
    bool Hidden,
    bool HubspotDefined,
    PropertyModificationMetadata ModificationMetadata,
    bool FormField,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool Archived = false,
    DateTimeOffset? ArchivedAt = null,
    string DataSensitivity = "non_sensitive",
    bool? ShowCurrencySymbol = null,
    string? NumberDisplayHint = null,
    string? CalculationFormula = null,
    string? ReferencedObjectType = null)
{
    [JsonIgnore]
    public bool ReadOnlyValue => ModificationMetadata.ReadOnlyValue;
}

public sealed record PropertyGroup(string Name, string Label, int DisplayOrder, bool Archived = false);

/// <summary>The property types and field types the properties API knows, and which go together.</summary>
public static class PropertyTypes
{
    public const string Bool = "bool";
    public const string Date = "date";
    public const string DateTime = "datetime";
    public const string Enumeration = "enumeration";
    public const string Number = "number";
    public const string PhoneNumber = "phone_number";
    public const string String = "string";

    public static readonly IReadOnlyList<string> Types = [Bool, Date, DateTime, Enumeration, Number, PhoneNumber, String];

    public static readonly IReadOnlyList<string> FieldTypes =
        ["booleancheckbox", "calculation_equation", "checkbox", "date", "file", "html", "number", "phonenumber", "radio", "select", "text", "textarea"];

    /// <summary>
    /// The pairs of the properties guide: bool→booleancheckbox; enumeration→checkbox|radio|select|booleancheckbox;
    /// date/datetime→date; string→text|textarea|file|html|phonenumber; number→number; any may be calculation_equation.
    /// phone_number takes phonenumber (and text, as the guide's string rule suggests).
    /// </summary>
    public static bool Compatible(string type, string fieldType) => fieldType == "calculation_equation" || type switch
    {
        Bool => fieldType == "booleancheckbox",
        Enumeration => fieldType is "checkbox" or "radio" or "select" or "booleancheckbox",
        Date or DateTime => fieldType == "date",
        String => fieldType is "text" or "textarea" or "file" or "html" or "phonenumber",
        Number => fieldType == "number",
        PhoneNumber => fieldType is "phonenumber" or "text",
        _ => false,
    };
}
