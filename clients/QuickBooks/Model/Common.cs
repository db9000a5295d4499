using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSync.Clients.QuickBooks.Model;

/// <summary>An entity of the QuickBooks Online Accounting API, named as in its paths and JSON ("Invoice", "Customer").</summary>
public interface IQuickBooksEntity
{
    static abstract string EntityName { get; }

    string? Id { get; }

    string? SyncToken { get; }
}

/// <summary>A reference to another entity: <c>{"value": "&lt;Id&gt;", "name": "…"}</c>.</summary>
public sealed record Reference
{
    public Reference()
    {
    }

    public Reference(string value, string? name = null)
    {
        Value = value;
        Name = name;
    }

    [JsonPropertyName("value")]
    public string? Value { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }
}

/// <summary>When an entity was created and last changed, in the company's time zone.</summary>
public sealed record MetaData
{
    public DateTimeOffset? CreateTime { get; init; }

    public DateTimeOffset? LastUpdatedTime { get; init; }
}

public sealed record EmailAddress
{
    public EmailAddress()
    {
    }

    public EmailAddress(string address) => Address = address;

    public string? Address { get; init; }
}

public sealed record TelephoneNumber
{
    public string? FreeFormNumber { get; init; }
}

public sealed record PhysicalAddress
{
    public string? Line1 { get; init; }

    public string? Line2 { get; init; }

    public string? City { get; init; }

    public string? CountrySubDivisionCode { get; init; }

    public string? PostalCode { get; init; }

    public string? Country { get; init; }
}

/// <summary>A memo field: <c>{"value": "…"}</c>.</summary>
public sealed record MemoRef
{
    public MemoRef()
    {
    }

    public MemoRef(string value) => Value = value;

    [JsonPropertyName("value")]
    public string? Value { get; init; }
}

/// <summary>A transaction another one points at, e.g. the payment applied to an invoice.</summary>
public sealed record LinkedTxn
{
    public string? TxnId { get; init; }

    public string? TxnType { get; init; }
}

/// <summary>Fields every entity carries; unknown ones are kept, so a round trip loses nothing.</summary>
public abstract record QuickBooksEntityBase
{
    public string? Id { get; init; }

    public string? SyncToken { get; init; }

    [JsonPropertyName("domain")]
    public string? Domain { get; init; }

    /// <summary>True on a sparse update: only the fields sent change.</summary>
    [JsonPropertyName("sparse")]
    public bool? Sparse { get; init; }

    /// <summary>"Deleted" on a deleted object (in change data capture and delete answers); otherwise absent.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; init; }

    public MetaData? MetaData { get; init; }

    [JsonExtensionData]
    // Settable, not init: System.Text.Json cannot fill extension data through an object initializer.
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    public bool IsDeleted => string.Equals(Status, "Deleted", StringComparison.OrdinalIgnoreCase);
}
