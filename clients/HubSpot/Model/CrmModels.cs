using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSync.Clients.HubSpot.Model;

/// <summary>HubSpot's object types, by the names the CRM API uses in paths.</summary>
public static class CrmObjectTypes
{
    public const string Deals = "deals";
    public const string Contacts = "contacts";
    public const string Companies = "companies";
    public const string Products = "products";
    public const string LineItems = "line_items";
    public const string Quotes = "quotes";
    public const string Invoices = "invoices";
    public const string Notes = "notes";
}

/// <summary>A CRM record (SimplePublicObject): properties are strings, or null.</summary>
public sealed record CrmObject
{
    public required string Id { get; init; }

    public Dictionary<string, string?> Properties { get; init; } = [];

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public bool Archived { get; init; }

    public DateTimeOffset? ArchivedAt { get; init; }

    /// <summary>With <c>?associations=</c>: the associated records per type ("contacts", "line items", …).</summary>
    public Dictionary<string, AssociationPage>? Associations { get; init; }

    public string? Property(string name) => Properties.GetValueOrDefault(name);
}

public sealed record AssociationPage
{
    public IReadOnlyList<AssociatedRecord> Results { get; init; } = [];

    public Paging? Paging { get; init; }
}

public sealed record AssociatedRecord
{
    public required string Id { get; init; }

    public string? Type { get; init; }
}

public sealed record Paging
{
    public PagingNext? Next { get; init; }
}

public sealed record PagingNext
{
    public string? After { get; init; }

    public string? Link { get; init; }
}

/// <summary>An association to make when creating a record.</summary>
public sealed record AssociationToCreate(AssociationTarget To, IReadOnlyList<AssociationSpec> Types);

public sealed record AssociationTarget(string Id);

/// <summary>A kind of association: HUBSPOT_DEFINED type 3 is deal to contact, 214 note to deal, and so on.</summary>
public sealed record AssociationSpec(string AssociationCategory, int AssociationTypeId)
{
    public static AssociationSpec HubSpotDefined(int typeId) => new("HUBSPOT_DEFINED", typeId);
}

/// <summary>HubSpot-defined association type ids (HUBSPOT-API.md §3).</summary>
public static class AssociationTypeIds
{
    public const int DealToContact = 3;
    public const int ContactToDeal = 4;
    public const int DealToCompanyPrimary = 5;
    public const int CompanyToDealPrimary = 6;
    public const int DealToLineItem = 19;
    public const int LineItemToDeal = 20;
    public const int DealToQuote = 63;
    public const int QuoteToDeal = 64;
    public const int QuoteToLineItem = 67;
    public const int QuoteToContact = 69;
    public const int NoteToDeal = 214;
    public const int DealToNote = 213;
}

public sealed record CreateObjectRequest(Dictionary<string, string?> Properties, IReadOnlyList<AssociationToCreate>? Associations = null);

public sealed record UpdateObjectRequest(Dictionary<string, string?> Properties);

public sealed record BatchUpdateInput(string Id, Dictionary<string, string?> Properties);

public sealed record BatchInputs<T>(IReadOnlyList<T> Inputs);

public sealed record BatchReadRequest(IReadOnlyList<string> Properties, IReadOnlyList<BatchId> Inputs);

public sealed record BatchId(string Id);

/// <summary>A batch answer: 200 when every input succeeded, 207 with errors when some did not.</summary>
public sealed record BatchResult
{
    public string? Status { get; init; }

    public IReadOnlyList<CrmObject> Results { get; init; } = [];

    public int? NumErrors { get; init; }

    public IReadOnlyList<HubSpotErrorBody>? Errors { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>A CRM search: filter groups are ORed, the filters in a group ANDed.</summary>
public sealed record SearchRequest
{
    public IReadOnlyList<FilterGroup> FilterGroups { get; init; } = [];

    public IReadOnlyList<SearchSort>? Sorts { get; init; }

    public string? Query { get; init; }

    public IReadOnlyList<string> Properties { get; init; } = [];

    /// <summary>At most 200.</summary>
    public int Limit { get; init; } = 100;

    public string? After { get; init; }
}

public sealed record FilterGroup(IReadOnlyList<Filter> Filters);

/// <summary>One condition: EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN.</summary>
public sealed record Filter(string PropertyName, string Operator, string? Value = null, IReadOnlyList<string>? Values = null, string? HighValue = null);

public sealed record SearchSort(string PropertyName, string Direction = "ASCENDING");

public sealed record SearchPage
{
    public int Total { get; init; }

    public IReadOnlyList<CrmObject> Results { get; init; } = [];

    public Paging? Paging { get; init; }
}

/// <summary>Everything a search found, up to HubSpot's cap of 10,000; <see cref="Truncated"/> when more matched.</summary>
public sealed record SearchAllResult(IReadOnlyList<CrmObject> Results, int Total, bool Truncated);

/// <summary>One record an association (v4) points at, with the kinds of association.</summary>
public sealed record AssociationResult
{
    public required long ToObjectId { get; init; }

    public IReadOnlyList<AssociationTypeView> AssociationTypes { get; init; } = [];
}

public sealed record AssociationTypeView(string? Category, int TypeId, string? Label);

public sealed record AssociationResults
{
    public IReadOnlyList<AssociationResult> Results { get; init; } = [];

    public Paging? Paging { get; init; }
}

public sealed record AssociationLabel(string? Category, int TypeId, string? Label);

public sealed record AssociationLabels
{
    public IReadOnlyList<AssociationLabel> Results { get; init; } = [];
}

/// <summary>A CRM property definition (properties API v3).</summary>
public sealed record PropertyDefinition
{
    public required string Name { get; init; }

    public required string Label { get; init; }

    /// <summary>bool, date, datetime, enumeration, number, phone_number, string.</summary>
    public required string Type { get; init; }

    /// <summary>booleancheckbox, checkbox, date, number, radio, select, text, textarea, …</summary>
    public required string FieldType { get; init; }

    public required string GroupName { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<PropertyOption>? Options { get; init; }

    public int? DisplayOrder { get; init; }

    public bool? HasUniqueValue { get; init; }

    public bool? FormField { get; init; }
}

public sealed record PropertyOption(string Label, string Value, int? DisplayOrder = null, bool? Hidden = null);

public sealed record PropertyGroup(string Name, string Label, int? DisplayOrder = null);

public sealed record PropertyDefinitions
{
    public IReadOnlyList<PropertyDefinition> Results { get; init; } = [];
}

/// <summary><c>GET /account-info/v3/details</c>.</summary>
public sealed record AccountDetails
{
    public long PortalId { get; init; }

    public string? AccountType { get; init; }

    public string? TimeZone { get; init; }

    public string? CompanyCurrency { get; init; }

    public IReadOnlyList<string>? AdditionalCurrencies { get; init; }

    public string? UtcOffset { get; init; }

    public long? UtcOffsetMilliseconds { get; init; }

    public string? UiDomain { get; init; }

    public string? DataHostingLocation { get; init; }
}

/// <summary>A timeline event (v3): a template's tokens filled in, shown on a record.</summary>
public sealed record TimelineEvent
{
    public required string EventTemplateId { get; init; }

    public required string ObjectId { get; init; }

    /// <summary>Our id for the event; HubSpot keeps the last write for an id, which makes sending it again harmless.</summary>
    public string? Id { get; init; }

    public DateTimeOffset? Timestamp { get; init; }

    public Dictionary<string, string> Tokens { get; init; } = [];

    public Dictionary<string, JsonElement>? ExtraData { get; init; }
}

/// <summary>HubSpot's error body (all fields optional).</summary>
public sealed record HubSpotErrorBody
{
    public string? Status { get; init; }

    public string? Message { get; init; }

    public string? CorrelationId { get; init; }

    public string? Category { get; init; }

    public string? SubCategory { get; init; }

    /// <summary>On 429: DAILY, TEN_SECONDLY_ROLLING or SECONDLY.</summary>
    public string? PolicyName { get; init; }

    public string? ErrorType { get; init; }

    public IReadOnlyList<HubSpotErrorDetail>? Errors { get; init; }

    public Dictionary<string, JsonElement>? Context { get; init; }
}

public sealed record HubSpotErrorDetail
{
    public string? Message { get; init; }

    public string? Code { get; init; }

    public string? In { get; init; }
}
