using System.Globalization;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>Turning the CRM API's paths and bodies into the sandbox's terms, with HubSpot's errors for bad ones.</summary>
public static class CrmRequests
{
    public const int MaxBatchInputs = 100;

    /// <summary>Batch reads asking for property history take at most 50 inputs.</summary>
    public const int MaxBatchInputsWithHistory = 50;

    public static (CrmObjectType? Type, HubSpotError? Error) Type(string objectType)
        => CrmObjectTypes.Find(objectType) is { } type ? (type, null) : (null, HubSpotError.UnknownObjectType(objectType));

    /// <summary>
    /// Finds a record by id, or by the value of a unique property (<c>idProperty</c>: a contact's <c>email</c>, or a
    /// property defined with <c>hasUniqueValue</c>).
    /// </summary>
    public static (CrmObject? Record, HubSpotError? Error) Find(HubSpotPortal portal, CrmObjectType type, string id, string? idProperty, bool archived = false)
    {
        if (string.IsNullOrEmpty(idProperty) || idProperty == CrmObject.ObjectIdProperty)
            return portal.Objects.Find(type, id, archived) is { } found ? (found, null) : (null, HubSpotError.ObjectMissing(id));

        var isEmail = type == CrmObjectTypes.Contacts && idProperty == "email";
        if (!isEmail && portal.Properties.Find(type, idProperty) is not { HasUniqueValue: true })
            return (null, HubSpotError.Validation($"{idProperty} is not a unique identifier property of {type.Name}: use hs_object_id, or a property with hasUniqueValue."));
        var comparison = isEmail ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var match = portal.Objects.All(type, archived).FirstOrDefault(o => string.Equals(o.Get(idProperty), id, comparison));
        return match is not null ? (match, null) : (null, HubSpotError.ObjectMissing(id));
    }

    /// <summary>A create body: its properties as strings, its associations resolved to HubSpot-defined types.</summary>
    public static (HubSpotCrm.CreateInput? Input, HubSpotError? Error) CreateInput(CrmObjectType type, ObjectCreateInput body)
    {
        var (properties, error) = HubSpotRequestBody.Properties(body.Properties);
        if (error is not null)
            return (null, error);

        var associations = new List<AssociationToCreate>();
        foreach (var association in body.Associations ?? [])
        {
            var toText = HubSpotRequestBody.Text(association.To?.Id);
            if (!long.TryParse(toText, NumberStyles.None, CultureInfo.InvariantCulture, out var toId))
                return (null, HubSpotError.Validation($"Invalid input JSON on line 1, column 1: association to.id is missing or not numeric ({toText ?? "null"})"));
            if (association.Types is not { Count: > 0 })
                return (null, HubSpotError.Validation("Invalid input JSON on line 1, column 1: association types are required"));
            foreach (var spec in association.Types)
            {
                var (associationType, typeError) = ResolveAssociation(type, spec);
                if (typeError is not null)
                    return (null, typeError);
                associations.Add(new AssociationToCreate(associationType!, toId));
            }
        }

        return (new HubSpotCrm.CreateInput(properties!, associations), null);
    }

    /// <summary>
    /// A <c>{associationCategory, associationTypeId}</c> from <paramref name="from"/>. Only HubSpot-defined types exist
    /// here: the sandbox has no custom labels.
    /// </summary>
    public static (AssociationType? Type, HubSpotError? Error) ResolveAssociation(CrmObjectType from, AssociationSpec spec, CrmObjectType? to = null)
    {
        if (spec.AssociationTypeId is not { } typeId)
            return (null, HubSpotError.Validation("Invalid input JSON on line 1, column 1: associationTypeId is required"));
        var category = spec.AssociationCategory ?? "";
        if (category is not (AssociationType.HubSpotDefined or "USER_DEFINED" or "INTEGRATOR_DEFINED" or "WORK"))
            return (null, HubSpotError.Validation($"Invalid input JSON on line 1, column 1: Cannot deserialize value of type `AssociationCategory` from String \"{category}\": not one of the values accepted for Enum class: [HUBSPOT_DEFINED, USER_DEFINED, INTEGRATOR_DEFINED, WORK]"));
        var type = to is null ? AssociationTypes.FromTypeId(from, typeId) : AssociationTypes.Find(from, to, typeId);
        if (type is null || category != AssociationType.HubSpotDefined)
            return (null, HubSpotError.Validation($"{category} association type {typeId} is not valid from {from.TypeId}{(to is null ? "" : $" to {to.TypeId}")}."));
        return (type, null);
    }

    public static HubSpotError? BatchSize(int count, bool withHistory = false)
    {
        if (count > MaxBatchInputs)
            return HubSpotError.BatchTooLarge(count, MaxBatchInputs);
        if (withHistory && count > MaxBatchInputsWithHistory)
            return HubSpotError.Validation($"The maximum number of inputs supported in a batch request for property histories is {MaxBatchInputsWithHistory}. Please reduce the number of items and try again");
        return null;
    }
}
