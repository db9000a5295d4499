namespace OrleansSync.Sandbox.HubSpot;

// The JSON of the properties API v3, named as HubSpot's OpenAPI spec names it.

public sealed record PropertyCreateInput(
    string? Name,
    string? Label,
    string? Type,
    string? FieldType,
    string? GroupName,
    string? Description = null,
    List<PropertyOption>? Options = null,
    int? DisplayOrder = null,
    bool? HasUniqueValue = null,
    bool? Hidden = null,
    bool? FormField = null,
    string? CalculationFormula = null,
    string? NumberDisplayHint = null,
    bool? ShowCurrencySymbol = null,
    bool? ExternalOptions = null,
    string? ReferencedObjectType = null,
    string? DataSensitivity = null);

public sealed record PropertyUpdateInput(
    string? Label,
    string? Type,
    string? FieldType,
    string? GroupName,
    string? Description,
    List<PropertyOption>? Options,
    int? DisplayOrder,
    bool? Hidden,
    bool? FormField,
    string? CalculationFormula,
    string? NumberDisplayHint,
    bool? ShowCurrencySymbol);

public sealed record PropertyList(IReadOnlyList<PropertyDefinition> Results);

public sealed record PropertyName(string? Name);

public sealed record PropertyBatchReadRequest(List<PropertyName>? Inputs, bool? Archived);

public sealed record PropertyBatchCreateRequest(List<PropertyCreateInput>? Inputs);

public sealed record PropertyBatchArchiveRequest(List<PropertyName>? Inputs);

public sealed record PropertyGroupInput(string? Name, string? Label, int? DisplayOrder);

public sealed record PropertyGroupList(IReadOnlyList<PropertyGroup> Results);
