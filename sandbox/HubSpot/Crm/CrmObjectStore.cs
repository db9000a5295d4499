namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// A portal's records, per object type, in id order, with a sequence per type. Not thread-safe on its own: used under
/// the portal's lock.
/// </summary>
public sealed class CrmObjectStore
{
    private readonly Dictionary<CrmObjectType, SortedDictionary<long, CrmObject>> _objects = CrmObjectTypes.All.ToDictionary(t => t, _ => new SortedDictionary<long, CrmObject>());
    private readonly Dictionary<CrmObjectType, long> _nextIds = CrmObjectTypes.All.ToDictionary(t => t, t => t.FirstNewId);

    public CrmObject Create(CrmObjectType type, DateTimeOffset at, long? id = null)
    {
        var assigned = id ?? _nextIds[type]++;
        if (assigned >= _nextIds[type])
            _nextIds[type] = assigned + 1;
        var created = new CrmObject(type, assigned, at);
        _objects[type].Add(assigned, created);
        return created;
    }

    /// <summary>A live record; with <paramref name="archived"/>, only an archived one (as <c>?archived=true</c> reads).</summary>
    public CrmObject? Find(CrmObjectType type, long id, bool archived = false)
        => _objects[type].TryGetValue(id, out var found) && found.Archived == archived ? found : null;

    public CrmObject? Find(CrmObjectType type, string id, bool archived = false)
        => long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? Find(type, parsed, archived) : null;

    public IEnumerable<CrmObject> All(CrmObjectType type, bool archived = false) => _objects[type].Values.Where(o => o.Archived == archived);

    public int Count(CrmObjectType type) => _objects[type].Values.Count(o => !o.Archived);
}
