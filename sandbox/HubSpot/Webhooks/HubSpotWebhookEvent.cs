namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// One notification of a webhook batch, with the fields of HubSpot's webhooks guide. Which fields are present depends on
/// the subscription type: <c>propertyName</c>/<c>propertyValue</c> for propertyChange, the association fields for
/// associationChange, the merge fields for merge. <c>attemptNumber</c> counts from 0 and is set per delivery attempt.
/// </summary>
public sealed record HubSpotWebhookEvent(
    long EventId,
    long SubscriptionId,
    long PortalId,
    long AppId,
    long OccurredAt,
    string SubscriptionType,
    int AttemptNumber,
    long? ObjectId = null,
    string? PropertyName = null,
    string? PropertyValue = null,
    string? ChangeSource = null,
    string? SourceId = null,
    string? ChangeFlag = null,
    string? AssociationType = null,
    long? FromObjectId = null,
    long? ToObjectId = null,
    bool? AssociationRemoved = null,
    bool? IsPrimaryAssociation = null,
    long? PrimaryObjectId = null,
    IReadOnlyList<long>? MergedObjectIds = null,
    long? NewObjectId = null,
    int? NumberOfPropertiesMoved = null);
