using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSync.Sandbox.HubSpot;

// The JSON of the associations API v4, named as HubSpot's OpenAPI spec names it.

/// <summary>An association type as v4 lists it; <c>label</c> is null (and written) for the default type.</summary>
public sealed record AssociationTypeView(
    string Category,
    int TypeId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Label);

public sealed record MultiAssociatedObject(long ToObjectId, IReadOnlyList<AssociationTypeView> AssociationTypes);

public sealed record AssociationPage(IReadOnlyList<MultiAssociatedObject> Results, Paging? Paging);

public sealed record ObjectIdView(string Id);

public sealed record AssociationSpecView(string AssociationCategory, int AssociationTypeId);

public sealed record DefaultAssociation(ObjectIdView From, ObjectIdView To, AssociationSpecView AssociationSpec);

public sealed record LabelsBetweenObjectPair(string FromObjectTypeId, long FromObjectId, string ToObjectTypeId, long ToObjectId, IReadOnlyList<string> Labels);

public sealed record AssociationLabels(IReadOnlyList<AssociationTypeView> Results);

public sealed record AssociatedFrom(ObjectIdView From, IReadOnlyList<MultiAssociatedObject> To, Paging? Paging = null);

public sealed record AssociationBatchItem(ObjectReference? From, ObjectReference? To, List<AssociationSpec>? Types);

public sealed record AssociationBatchRequest(List<AssociationBatchItem>? Inputs);

public sealed record AssociationBatchReadItem(JsonElement? Id, string? After);

public sealed record AssociationBatchReadRequest(List<AssociationBatchReadItem>? Inputs);

public sealed record AssociationBatchArchiveItem(ObjectReference? From, List<ObjectReference>? To);

public sealed record AssociationBatchArchiveRequest(List<AssociationBatchArchiveItem>? Inputs);
