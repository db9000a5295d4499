using System.Text.Json;

namespace OrleansSync.Sandbox.HubSpot;

// The JSON of the timeline events API v3 (legacy; see docs/HUBSPOT-API.md §7).

public sealed record TimelineToken(string? Name, string? Label, string? Type, List<PropertyOption>? Options = null, string? ObjectPropertyName = null);

public sealed record TimelineTemplateInput(string? Name, string? ObjectType, string? HeaderTemplate, string? DetailTemplate, List<TimelineToken>? Tokens);

public sealed record TimelineTemplate(
    string Id,
    string Name,
    string ObjectType,
    string? HeaderTemplate,
    string? DetailTemplate,
    IReadOnlyList<TimelineToken> Tokens,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record TimelineTemplateList(IReadOnlyList<TimelineTemplate> Results);

public sealed record TimelineIFrame(string? LinkLabel, string? HeaderLabel, string? Url, int? Width, int? Height);

public sealed record TimelineEventInput(
    string? EventTemplateId,
    string? Id,
    JsonElement? ObjectId,
    string? Email,
    string? Utk,
    JsonElement? Timestamp,
    Dictionary<string, JsonElement>? Tokens,
    JsonElement? ExtraData,
    TimelineIFrame? TimelineIFrame);

public sealed record TimelineEventBatchInput(List<TimelineEventInput>? Inputs);

public sealed record TimelineEvent(
    string Id,
    string EventTemplateId,
    string? ObjectId,
    string ObjectType,
    string? Email,
    string? Utk,
    DateTimeOffset Timestamp,
    IReadOnlyDictionary<string, string> Tokens,
    JsonElement? ExtraData,
    TimelineIFrame? TimelineIFrame,
    DateTimeOffset CreatedAt);

public sealed record TimelineEventList(IReadOnlyList<TimelineEvent> Results);
