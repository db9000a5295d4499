namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// A portal's associations: for each record, the records it is associated with and by which type ids, kept in both
/// directions. Not thread-safe on its own: used under the portal's lock. Archiving a record leaves its associations in
/// place (HubSpot restores them with the record); readers skip archived records.
/// </summary>
public sealed class AssociationGraph
{
    private readonly Dictionary<(CrmObjectType Type, long Id), Dictionary<(CrmObjectType Type, long Id), SortedSet<int>>> _edges = [];

    /// <summary>Adds a type (and its inverse); returns false when it was already there.</summary>
    public bool Add(AssociationType type, long fromId, long toId)
    {
        var added = Edge(type.From, fromId, type.To, toId, create: true)!.Add(type.TypeId);
        Edge(type.To, toId, type.From, fromId, create: true)!.Add(type.InverseTypeId);
        return added;
    }

    /// <summary>Removes one type (and its inverse); returns false when it was not there.</summary>
    public bool Remove(AssociationType type, long fromId, long toId)
    {
        var forward = Edge(type.From, fromId, type.To, toId, create: false);
        if (forward is null || !forward.Remove(type.TypeId))
            return false;
        Edge(type.To, toId, type.From, fromId, create: false)?.Remove(type.InverseTypeId);
        Prune(type.From, fromId, type.To, toId);
        Prune(type.To, toId, type.From, fromId);
        return true;
    }

    /// <summary>The type ids from one record to another (from the first one's side).</summary>
    public IReadOnlyList<int> TypeIds(CrmObjectType fromType, long fromId, CrmObjectType toType, long toId)
        => Edge(fromType, fromId, toType, toId, create: false) is { } ids ? [.. ids] : [];

    /// <summary>The records of <paramref name="toType"/> associated with a record, by id, with their type ids.</summary>
    public IReadOnlyList<(long ToId, IReadOnlyList<int> TypeIds)> Targets(CrmObjectType fromType, long fromId, CrmObjectType toType)
        => _edges.TryGetValue((fromType, fromId), out var targets)
            ? [.. targets.Where(t => t.Key.Type == toType && t.Value.Count > 0).OrderBy(t => t.Key.Id).Select(t => (t.Key.Id, (IReadOnlyList<int>)[.. t.Value]))]
            : [];

    private SortedSet<int>? Edge(CrmObjectType fromType, long fromId, CrmObjectType toType, long toId, bool create)
    {
        if (!_edges.TryGetValue((fromType, fromId), out var targets))
        {
            if (!create)
                return null;
            _edges[(fromType, fromId)] = targets = [];
        }

        if (!targets.TryGetValue((toType, toId), out var ids))
        {
            if (!create)
                return null;
            targets[(toType, toId)] = ids = [];
        }

        return ids;
    }

    private void Prune(CrmObjectType fromType, long fromId, CrmObjectType toType, long toId)
    {
        if (_edges.TryGetValue((fromType, fromId), out var targets) && targets.TryGetValue((toType, toId), out var ids) && ids.Count == 0)
            targets.Remove((toType, toId));
    }
}
