namespace OrleansSync.Sandbox.HubSpot;

/// <summary>What a read asks for: <c>properties</c>, <c>propertiesWithHistory</c>, <c>associations</c>.</summary>
public sealed record ObjectViewRequest(
    IReadOnlyList<string>? Properties = null,
    IReadOnlyList<string>? PropertiesWithHistory = null,
    IReadOnlyList<CrmObjectType>? Associations = null,
    IEnumerable<string>? AlsoInclude = null)
{
    public static readonly ObjectViewRequest Defaults = new();

    /// <summary>Association types HubSpot does not know are left out, as unknown properties are.</summary>
    public static ObjectViewRequest FromQuery(HttpRequest request) => new(
        HubSpotQuery.List(request, "properties"),
        HubSpotQuery.List(request, "propertiesWithHistory"),
        HubSpotQuery.List(request, "associations")?.Select(CrmObjectTypes.Find).OfType<CrmObjectType>().ToList());
}

/// <summary>
/// A record as the v3 API shows it (<c>SimplePublicObject</c>): the asked-for properties (the type's defaults when none
/// are named; names the portal does not define are silently left out; defined ones without a value are null), always
/// <c>hs_object_id</c>, <c>createdate</c> and <c>hs_lastmodifieddate</c>, and, when asked, history and associations.
/// Built under the portal's lock.
/// </summary>
public static class CrmObjectViews
{
    private static readonly string[] AlwaysReturned = [CrmObject.ObjectIdProperty, CrmObject.CreateDateProperty, CrmObject.LastModifiedProperty];

    public static SimplePublicObject View(HubSpotPortal portal, CrmObject record, ObjectViewRequest request)
    {
        var names = (request.Properties ?? record.Type.DefaultProperties).Concat(request.AlsoInclude ?? []).Concat(AlwaysReturned);
        var properties = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (portal.Properties.Find(record.Type, name) is not null)
                properties[name] = record.Get(name);
        }

        return new SimplePublicObject(
            record.IdText,
            properties,
            record.CreatedAt,
            record.UpdatedAt,
            record.Archived,
            record.ArchivedAt,
            request.PropertiesWithHistory is { Count: > 0 } history ? History(portal, record, history) : null,
            request.Associations is { Count: > 0 } types ? Associations(portal, record, types) : null);
    }

    private static SortedDictionary<string, IReadOnlyList<PropertyHistoryValue>> History(HubSpotPortal portal, CrmObject record, IReadOnlyList<string> names)
    {
        var history = new SortedDictionary<string, IReadOnlyList<PropertyHistoryValue>>(StringComparer.Ordinal);
        foreach (var name in names.Where(n => portal.Properties.Find(record.Type, n) is not null))
            history[name] = [.. record.History(name).Select(v => new PropertyHistoryValue(v.Value, v.Timestamp, v.SourceType, v.SourceId, v.UpdatedByUserId))];
        return history;
    }

    /// <summary>Keyed by the target type's v3 name (<c>"line items"</c> with a space); types with none are left out.</summary>
    private static Dictionary<string, AssociatedIds> Associations(HubSpotPortal portal, CrmObject record, IReadOnlyList<CrmObjectType> types)
    {
        var associations = new Dictionary<string, AssociatedIds>(StringComparer.Ordinal);
        foreach (var toType in types.Distinct())
        {
            var results = portal.Associations.Targets(record.Type, record.Id, toType)
                .Where(t => portal.Objects.Find(toType, t.ToId) is not null)
                .SelectMany(t => t.TypeIds.Select(id => new AssociatedId(t.ToId.ToString(System.Globalization.CultureInfo.InvariantCulture), AssociationTypes.Find(record.Type, toType, id)!.V3Name)))
                .ToList();
            if (results.Count > 0)
                associations[toType.AssociationKey] = new AssociatedIds(results);
        }

        return associations;
    }
}
