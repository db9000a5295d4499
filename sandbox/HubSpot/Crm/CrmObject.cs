using System.Globalization;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>Who made a change, in HubSpot's words: <c>changeSource</c> of webhooks, <c>sourceType</c> of history.</summary>
public static class ChangeSource
{
    public const string Api = "API";

    /// <summary>A person in HubSpot's UI (the sandbox's admin endpoints).</summary>
    public const string CrmUi = "CRM_UI";

    /// <summary>HubSpot itself, e.g. a line item's amount after its price or quantity changed.</summary>
    public const string Calculated = "CALCULATED";
}

/// <summary>One value a property has had, newest first in <see cref="CrmObject"/>'s history.</summary>
public sealed record PropertyVersion(string Value, DateTimeOffset Timestamp, string SourceType, string? SourceId, long? UpdatedByUserId);

/// <summary>
/// A CRM record: string-valued properties with their history. Not thread-safe on its own; every access happens under
/// its portal's lock. <c>hs_object_id</c>, <c>createdate</c> and <c>hs_lastmodifieddate</c> are derived from the record,
/// as HubSpot always returns them.
/// </summary>
public sealed class CrmObject(CrmObjectType type, long id, DateTimeOffset createdAt)
{
    public const string ObjectIdProperty = "hs_object_id";
    public const string CreateDateProperty = "createdate";
    public const string LastModifiedProperty = "hs_lastmodifieddate";

    private readonly Dictionary<string, List<PropertyVersion>> _history = new(StringComparer.Ordinal);

    public CrmObjectType Type { get; } = type;

    public long Id { get; } = id;

    public string IdText => Id.ToString(CultureInfo.InvariantCulture);

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset UpdatedAt { get; set; } = createdAt;

    public DateTimeOffset? ArchivedAt { get; set; }

    public bool Archived => ArchivedAt is not null;

    /// <summary>The current value; null when never set or cleared with an empty string.</summary>
    public string? Get(string property) => property switch
    {
        ObjectIdProperty => IdText,
        CreateDateProperty => HubSpotTime.Format(CreatedAt),
        LastModifiedProperty => HubSpotTime.Format(UpdatedAt),
        _ => _history.TryGetValue(property, out var versions) && versions[0].Value.Length > 0 ? versions[0].Value : null,
    };

    /// <summary>Sets a value; returns whether it changed (HubSpot neither records nor announces a same-value write).</summary>
    public bool Set(string property, string value, DateTimeOffset at, string source, long? userId = null)
    {
        if (!_history.TryGetValue(property, out var versions))
        {
            if (value.Length == 0)
                return false;
            _history[property] = versions = [];
        }
        else if (versions[0].Value == value)
        {
            return false;
        }

        versions.Insert(0, new PropertyVersion(value, at, source, userId is null ? null : $"userId:{userId}", userId));
        UpdatedAt = at;
        return true;
    }

    public IReadOnlyList<PropertyVersion> History(string property) => property switch
    {
        ObjectIdProperty or CreateDateProperty => [new PropertyVersion(Get(property)!, CreatedAt, ChangeSource.Api, null, null)],
        LastModifiedProperty => [new PropertyVersion(Get(property)!, UpdatedAt, ChangeSource.Api, null, null)],
        _ => _history.TryGetValue(property, out var versions) ? versions : [],
    };

    /// <summary>The properties that have a value, for views that show everything.</summary>
    public IEnumerable<string> PropertiesWithValues => _history.Where(p => p.Value[0].Value.Length > 0).Select(p => p.Key);
}
