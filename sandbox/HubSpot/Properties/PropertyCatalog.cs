namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// A portal's property definitions and groups, per object type. Not thread-safe on its own: used under the portal's
/// lock.
/// </summary>
public sealed class PropertyCatalog
{
    private readonly Dictionary<CrmObjectType, Dictionary<string, PropertyDefinition>> _properties = [];
    private readonly Dictionary<CrmObjectType, Dictionary<string, PropertyGroup>> _groups = [];

    public PropertyCatalog(IReadOnlyList<string> currencies, DateTimeOffset createdAt)
    {
        foreach (var type in CrmObjectTypes.All)
        {
            _properties[type] = HubSpotDefinedProperties.For(type, currencies, createdAt).ToDictionary(p => p.Name, StringComparer.Ordinal);
            _groups[type] = HubSpotDefinedProperties.Groups(type).ToDictionary(g => g.Name, StringComparer.Ordinal);
        }
    }

    /// <summary>A live (not archived) property.</summary>
    public PropertyDefinition? Find(CrmObjectType type, string name)
        => _properties[type].TryGetValue(name, out var property) && !property.Archived ? property : null;

    /// <summary>Also archived ones: their names stay taken.</summary>
    public PropertyDefinition? FindAny(CrmObjectType type, string name) => _properties[type].GetValueOrDefault(name);

    public IReadOnlyList<PropertyDefinition> List(CrmObjectType type, bool archived)
        => [.. _properties[type].Values.Where(p => p.Archived == archived).OrderBy(p => p.Name, StringComparer.Ordinal)];

    public void Put(CrmObjectType type, PropertyDefinition property) => _properties[type][property.Name] = property;

    public PropertyGroup? FindGroup(CrmObjectType type, string name)
        => _groups[type].TryGetValue(name, out var group) && !group.Archived ? group : null;

    public IReadOnlyList<PropertyGroup> Groups(CrmObjectType type)
        => [.. _groups[type].Values.Where(g => !g.Archived).OrderBy(g => g.DisplayOrder).ThenBy(g => g.Name, StringComparer.Ordinal)];

    public bool GroupNameTaken(CrmObjectType type, string name) => _groups[type].ContainsKey(name);

    public void PutGroup(CrmObjectType type, PropertyGroup group) => _groups[type][group.Name] = group;

    public bool GroupInUse(CrmObjectType type, string name) => _properties[type].Values.Any(p => !p.Archived && p.GroupName == name);
}
