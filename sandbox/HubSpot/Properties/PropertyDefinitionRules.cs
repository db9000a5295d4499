using System.Text.RegularExpressions;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// What makes a property definition acceptable: the required fields (<c>name, label, type, fieldType, groupName</c>),
/// known types and field types in the guide's pairs, a lowercase internal name, an existing group, options for
/// enumerations, at most ten unique properties per object type, and a name not already taken (409).
/// </summary>
public static partial class PropertyDefinitionRules
{
    private const int MaxUniqueProperties = 10;

    public static (PropertyDefinition? Property, HubSpotError? Error) Create(PropertyCatalog catalog, CrmObjectType type, PropertyCreateInput input, DateTimeOffset now)
    {
        var missing = new (string Name, string? Value)[] { ("name", input.Name), ("label", input.Label), ("type", input.Type), ("fieldType", input.FieldType), ("groupName", input.GroupName) }
            .Where(f => string.IsNullOrEmpty(f.Value)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
            return Fail(HubSpotError.Validation($"Invalid input JSON on line 1, column 1: Cannot build PropertyCreate, some of required attributes are not set [{string.Join(", ", missing)}]"));
        if (!NamePattern().IsMatch(input.Name!))
            return Fail(HubSpotError.Validation($"Property name \"{input.Name}\" is not valid: internal names start with a lowercase letter and hold only lowercase letters, digits and underscores."));
        if (TypesError(input.Type!, input.FieldType!) is { } typeError)
            return Fail(typeError);
        if (catalog.FindGroup(type, input.GroupName!) is null)
            return Fail(HubSpotError.Validation($"Property group {input.GroupName} does not exist for object type {type.TypeId}."));
        if (catalog.FindAny(type, input.Name!) is not null)
        {
            return Fail(new HubSpotError(StatusCodes.Status409Conflict, $"Property named '{input.Name}' already exists.", HubSpotError.Conflict,
                Context: new Dictionary<string, IReadOnlyList<string>> { ["name"] = [input.Name!] }));
        }

        if (input.HasUniqueValue == true && catalog.List(type, archived: false).Count(p => p.HasUniqueValue) >= MaxUniqueProperties)
            return Fail(HubSpotError.Validation($"An object type can have at most {MaxUniqueProperties} properties with unique values."));
        var (options, optionsError) = Options(input.Type!, input.FieldType!, input.Options, input.ExternalOptions == true);
        if (optionsError is not null)
            return Fail(optionsError);

        return (new PropertyDefinition(
            input.Name!, input.Label!, input.Type!, input.FieldType!, input.GroupName!, input.Description ?? "", options!, input.DisplayOrder ?? -1,
            Calculated: input.FieldType == "calculation_equation", ExternalOptions: input.ExternalOptions ?? false, HasUniqueValue: input.HasUniqueValue ?? false,
            Hidden: input.Hidden ?? false, HubspotDefined: false,
            new PropertyModificationMetadata(Archivable: true, ReadOnlyDefinition: false, ReadOnlyValue: input.FieldType == "calculation_equation"),
            FormField: input.FormField ?? false, CreatedAt: now, UpdatedAt: now, DataSensitivity: input.DataSensitivity ?? "non_sensitive",
            ShowCurrencySymbol: input.ShowCurrencySymbol, NumberDisplayHint: input.NumberDisplayHint, CalculationFormula: input.CalculationFormula,
            ReferencedObjectType: input.ReferencedObjectType), null);
    }

    public static (PropertyDefinition? Property, HubSpotError? Error) Update(PropertyCatalog catalog, CrmObjectType type, PropertyDefinition current, PropertyUpdateInput input, DateTimeOffset now)
    {
        if (current.ModificationMetadata.ReadOnlyDefinition)
            return Fail(HubSpotError.Validation($"{current.Name} is a HubSpot-defined property whose definition cannot be changed."));
        var propertyType = input.Type ?? current.Type;
        var fieldType = input.FieldType ?? current.FieldType;
        if (TypesError(propertyType, fieldType) is { } typeError)
            return Fail(typeError);
        if (input.GroupName is { } group && catalog.FindGroup(type, group) is null)
            return Fail(HubSpotError.Validation($"Property group {group} does not exist for object type {type.TypeId}."));
        var (options, optionsError) = Options(propertyType, fieldType, input.Options ?? [.. current.Options], current.ExternalOptions);
        if (optionsError is not null)
            return Fail(optionsError);

        return (current with
        {
            Label = input.Label ?? current.Label,
            Type = propertyType,
            FieldType = fieldType,
            GroupName = input.GroupName ?? current.GroupName,
            Description = input.Description ?? current.Description,
            Options = options!,
            DisplayOrder = input.DisplayOrder ?? current.DisplayOrder,
            Hidden = input.Hidden ?? current.Hidden,
            FormField = input.FormField ?? current.FormField,
            CalculationFormula = input.CalculationFormula ?? current.CalculationFormula,
            NumberDisplayHint = input.NumberDisplayHint ?? current.NumberDisplayHint,
            ShowCurrencySymbol = input.ShowCurrencySymbol ?? current.ShowCurrencySymbol,
            UpdatedAt = now,
        }, null);
    }

    private static HubSpotError? TypesError(string type, string fieldType)
    {
        if (!PropertyTypes.Types.Contains(type, StringComparer.Ordinal))
            return HubSpotError.Validation($"Invalid input JSON on line 1, column 1: Cannot deserialize value of type `PropertyType` from String \"{type}\": not one of the values accepted for Enum class: [{string.Join(", ", PropertyTypes.Types)}]");
        if (!PropertyTypes.FieldTypes.Contains(fieldType, StringComparer.Ordinal))
            return HubSpotError.Validation($"Invalid input JSON on line 1, column 1: Cannot deserialize value of type `FieldType` from String \"{fieldType}\": not one of the values accepted for Enum class: [{string.Join(", ", PropertyTypes.FieldTypes)}]");
        return PropertyTypes.Compatible(type, fieldType)
            ? null
            : HubSpotError.Validation($"Field type {fieldType} is not valid for a property of type {type}.");
    }

    /// <summary>Enumerations list their options (unless they come from elsewhere); a bool gets Yes/No.</summary>
    private static (IReadOnlyList<PropertyOption>? Options, HubSpotError? Error) Options(string type, string fieldType, List<PropertyOption>? given, bool external)
    {
        var options = given ?? [];
        if (type == PropertyTypes.Bool && options.Count == 0)
            return ([new PropertyOption("Yes", "true"), new PropertyOption("No", "false", DisplayOrder: 1)], null);
        if (type != PropertyTypes.Enumeration)
            return ([.. options], null);
        if (options.Any(o => string.IsNullOrEmpty(o.Label) || string.IsNullOrEmpty(o.Value)))
            return (null, HubSpotError.Validation("Every option needs a label and a value."));
        var duplicate = options.GroupBy(o => o.Value, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            return (null, HubSpotError.Validation($"Option values must be unique; {duplicate.Key} appears more than once."));
        if (options.Count == 0 && !external && fieldType != "booleancheckbox")
            return (null, HubSpotError.Validation("An enumeration property needs options."));
        return ([.. options], null);
    }

    private static (PropertyDefinition?, HubSpotError?) Fail(HubSpotError error) => (null, error);

    [GeneratedRegex("^[a-z][a-z0-9_]{0,99}$")]
    private static partial Regex NamePattern();
}
