using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSync.Clients.Webhooks;

/// <summary>
/// One event of a HubSpot webhook batch (HUBSPOT-API.md §8). Which fields are present depends on the
/// subscription type: property changes carry the property, association changes the two records, merges the ids.
/// </summary>
public sealed record HubSpotWebhookEvent
{
    public long EventId { get; init; }

    public long SubscriptionId { get; init; }

    public long PortalId { get; init; }

    public long AppId { get; init; }

    /// <summary>Milliseconds since the epoch.</summary>
    public long OccurredAt { get; init; }

    /// <summary>"deal.propertyChange", "deal.deletion", "deal.associationChange", "contact.merge", "object.creation", …</summary>
    public string SubscriptionType { get; init; } = "";

    public int AttemptNumber { get; init; }

    public long? ObjectId { get; init; }

    /// <summary>For the generic <c>object.*</c> subscriptions: "0-3" for deals and so on.</summary>
    public string? ObjectTypeId { get; init; }

    public string? PropertyName { get; init; }

    public string? PropertyValue { get; init; }

    public string? ChangeSource { get; init; }

    public string? SourceId { get; init; }

    public string? ChangeFlag { get; init; }

    /// <summary>For association changes, e.g. "DEAL_TO_CONTACT".</summary>
    public string? AssociationType { get; init; }

    public long? FromObjectId { get; init; }

    public long? ToObjectId { get; init; }

    public bool? AssociationRemoved { get; init; }

    public bool? IsPrimaryAssociation { get; init; }

    public long? PrimaryObjectId { get; init; }

    public IReadOnlyList<long>? MergedObjectIds { get; init; }

    public long? NewObjectId { get; init; }

    [JsonIgnore]
    public DateTimeOffset OccurredAtTime => DateTimeOffset.FromUnixTimeMilliseconds(OccurredAt);

    /// <summary>
    /// HubSpot says an event id is "not guaranteed to be unique"; with the subscription, the object and the moment,
    /// a retried delivery of the same event has the same key, and different events do not.
    /// </summary>
    [JsonIgnore]
    public string DeduplicationKey => $"{SubscriptionType}:{SubscriptionId}:{EventId}:{ObjectId ?? FromObjectId ?? PrimaryObjectId}:{OccurredAt}";
}

public static class HubSpotWebhook
{
    /// <summary>HubSpot sends at most this many events per request.</summary>
    public const int MaxEventsPerBatch = 100;

    public static IReadOnlyList<HubSpotWebhookEvent> Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, HubSpotWebhookJsonContext.Default.ListHubSpotWebhookEvent)
                ?? throw new WebhookPayloadException("A HubSpot webhook is a JSON array of events, not null.");
        }
        catch (JsonException exception)
        {
            throw new WebhookPayloadException($"The HubSpot webhook is not an array of events: {exception.Message}", exception);
        }
    }

    /// <summary>One event, as kept apart from its batch (the inbox keeps each event as HubSpot sent it).</summary>
    public static HubSpotWebhookEvent ParseEvent(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, HubSpotWebhookJsonContext.Default.HubSpotWebhookEvent)
                ?? throw new WebhookPayloadException("A HubSpot webhook event is a JSON object, not null.");
        }
        catch (JsonException exception)
        {
            throw new WebhookPayloadException($"Not a HubSpot webhook event: {exception.Message}", exception);
        }
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<HubSpotWebhookEvent>))]
[JsonSerializable(typeof(HubSpotWebhookEvent))]
internal sealed partial class HubSpotWebhookJsonContext : JsonSerializerContext;
