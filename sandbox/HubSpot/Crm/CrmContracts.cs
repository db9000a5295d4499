using System.Text.Json;

namespace OrleansSync.Sandbox.HubSpot;

// The JSON of the CRM objects API v3, named as HubSpot's OpenAPI spec names it.

public sealed record SimplePublicObject(
    string Id,
    IReadOnlyDictionary<string, string?> Properties,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool Archived,
    DateTimeOffset? ArchivedAt = null,
    IReadOnlyDictionary<string, IReadOnlyList<PropertyHistoryValue>>? PropertiesWithHistory = null,
    IReadOnlyDictionary<string, AssociatedIds>? Associations = null);

public sealed record PropertyHistoryValue(string Value, DateTimeOffset Timestamp, string SourceType, string? SourceId, long? UpdatedByUserId);

public sealed record AssociatedIds(IReadOnlyList<AssociatedId> Results);

public sealed record AssociatedId(string Id, string Type);

public sealed record NextPage(string After, string? Link = null);

public sealed record Paging(NextPage Next);

public sealed record ObjectPage(IReadOnlyList<SimplePublicObject> Results, Paging? Paging);

public sealed record SearchPage(int Total, IReadOnlyList<SimplePublicObject> Results, Paging? Paging);

/// <summary>One error of a 207 batch answer.</summary>
public sealed record BatchError(
    string Status,
    string Category,
    string Message,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Context = null,
    IReadOnlyList<HubSpotErrorDetail>? Errors = null);

/// <summary>A batch answer: 200/201 when everything worked, 207 with <c>numErrors</c> and <c>errors</c> when not.</summary>
public sealed record BatchResponse<T>(
    string Status,
    IReadOnlyList<T> Results,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    int? NumErrors = null,
    IReadOnlyList<BatchError>? Errors = null);

public sealed record ObjectReference(JsonElement? Id);

public sealed record AssociationSpec(string? AssociationCategory, int? AssociationTypeId);

public sealed record ObjectAssociationInput(ObjectReference? To, List<AssociationSpec>? Types);

/// <summary>The body of a create (and of each batch create input).</summary>
public sealed record ObjectCreateInput(Dictionary<string, JsonElement>? Properties, List<ObjectAssociationInput>? Associations);

/// <summary>The body of an update.</summary>
public sealed record ObjectUpdateInput(Dictionary<string, JsonElement>? Properties);

public sealed record BatchUpdateItem(JsonElement? Id, string? IdProperty, Dictionary<string, JsonElement>? Properties);

public sealed record BatchCreateRequest(List<ObjectCreateInput>? Inputs);

public sealed record BatchUpdateRequest(List<BatchUpdateItem>? Inputs);

public sealed record BatchReadRequest(List<ObjectReference>? Inputs, List<string>? Properties, List<string>? PropertiesWithHistory, string? IdProperty);

public sealed record BatchArchiveRequest(List<ObjectReference>? Inputs);

public sealed record MergeRequest(JsonElement? PrimaryObjectId, JsonElement? ObjectIdToMerge);

public sealed record SearchFilter(string? PropertyName, string? Operator, JsonElement? Value, List<JsonElement>? Values, JsonElement? HighValue);

public sealed record SearchFilterGroup(List<SearchFilter>? Filters);

public sealed record SearchRequest(
    List<SearchFilterGroup>? FilterGroups,
    List<SearchFilter>? Filters,
    List<JsonElement>? Sorts,
    string? Query,
    List<string>? Properties,
    JsonElement? Limit,
    JsonElement? After);

/// <summary>A resolved association of a create body: the target and the type.</summary>
public sealed record AssociationToCreate(AssociationType Type, long ToId);
