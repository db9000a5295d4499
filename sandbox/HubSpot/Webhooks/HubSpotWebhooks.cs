using System.Globalization;
using System.Text.Json;
using OrleansSync.Clients.Webhooks;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// Turns CRM changes into HubSpot webhook notifications and delivers them as HubSpot does: grouped per portal into
/// batches of at most 100, POSTed as a JSON array, signed with both the v1 and the v3 signature (computed afresh for
/// every attempt, since the body's attemptNumber and the v3 timestamp change), retried on HubSpot's schedule.
/// The sandbox has no subscription settings: every change to deals, contacts, companies, line items and products is
/// sent, as if the app subscribed to everything.
/// </summary>
public sealed class HubSpotWebhooks
{
    private const int MaxBatch = 100;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(100);

    private readonly HubSpotSandboxOptions _options;
    private readonly SandboxClock _clock;
    private readonly WebhookSender _sender;
    private readonly FaultInjector _faults;
    private readonly EventBatcher<long, HubSpotWebhookEvent> _batcher;
    private long _lastEventId;

    public HubSpotWebhooks(SandboxOptions options, SandboxClock clock, WebhookSender sender, [FromKeyedServices(HubSpotSandboxRegistration.ServiceKey)] FaultInjector faults)
    {
        _options = options.HubSpot;
        _clock = clock;
        _sender = sender;
        _faults = faults;
        _batcher = new EventBatcher<long, HubSpotWebhookEvent>(MaxBatch, BatchWindow, Deliver);
    }

    public void Created(long portalId, CrmObject record, string source)
        => Add(portalId, record.Type, "creation", source, e => e with { ObjectId = record.Id, ChangeFlag = "NEW" });

    public void Deleted(long portalId, CrmObject record, string source)
        => Add(portalId, record.Type, "deletion", source, e => e with { ObjectId = record.Id, ChangeFlag = "DELETED" });

    /// <summary>HubSpot sends no propertyChange for <c>hs_lastmodifieddate</c> (webhooks guide).</summary>
    public void PropertyChanged(long portalId, CrmObject record, string property, string value, string source)
    {
        if (property == CrmObject.LastModifiedProperty)
            return;
        Add(portalId, record.Type, "propertyChange", source, e => e with { ObjectId = record.Id, PropertyName = property, PropertyValue = value });
    }

    /// <summary>Association events are sent when both ends are types with webhooks (deal to line item, contact to company…).</summary>
    public void AssociationChanged(long portalId, AssociationType type, long fromId, long toId, bool removed, string source)
    {
        if (!type.To.SendsWebhooks)
            return;
        Add(portalId, type.From, "associationChange", source, e => e with
        {
            AssociationType = type.WebhookName,
            FromObjectId = fromId,
            ToObjectId = toId,
            AssociationRemoved = removed,
            IsPrimaryAssociation = type.IsPrimary,
        });
    }

    public void Merged(long portalId, CrmObjectType type, long primaryId, IReadOnlyList<long> mergedIds, int propertiesMoved, string source)
        => Add(portalId, type, "merge", source, e => e with
        {
            ObjectId = primaryId,
            PrimaryObjectId = primaryId,
            MergedObjectIds = mergedIds,
            NewObjectId = primaryId,
            NumberOfPropertiesMoved = propertiesMoved,
        });

    private void Add(long portalId, CrmObjectType type, string change, string source, Func<HubSpotWebhookEvent, HubSpotWebhookEvent> details)
    {
        if (_options.WebhookUrl is null || !type.SendsWebhooks)
            return;
        var subscriptionType = $"{type.Singular}.{change}";
        var notification = new HubSpotWebhookEvent(
            Interlocked.Increment(ref _lastEventId),
            SubscriptionId(subscriptionType),
            portalId,
            _options.AppId,
            HubSpotTime.ToMilliseconds(_clock.GetUtcNow()),
            subscriptionType,
            AttemptNumber: 0,
            ChangeSource: source,
            SourceId: source == ChangeSource.CrmUi ? $"userId:{HubSpotOAuth.DemoUserId}" : null);
        _batcher.Add(portalId, details(notification));
    }

    private void Deliver(long portalId, IReadOnlyList<HubSpotWebhookEvent> events)
    {
        var url = _options.WebhookUrl!;
        _sender.Enqueue(new WebhookDelivery(
            "hubspot",
            url,
            (attempt, at) => CreateRequest(url, events, attempt, at),
            HubSpotWebhookRetrySchedule.Randomized(),
            HubSpotWebhookRetrySchedule.Timeout,
            events.Count,
            _faults));
    }

    private WebhookRequest CreateRequest(Uri url, IReadOnlyList<HubSpotWebhookEvent> events, int attempt, DateTimeOffset at)
    {
        List<HubSpotWebhookEvent> attemptEvents = [.. events.Select(e => e with { AttemptNumber = attempt })];
        var body = JsonSerializer.SerializeToUtf8Bytes(attemptEvents, HubSpotJson.Context.ListHubSpotWebhookEvent);
        var timestamp = HubSpotTime.ToMilliseconds(at);
        return new WebhookRequest(body, "application/json",
        [
            new(HubSpotSignature.SignatureHeader, HubSpotSignature.ComputeV1(_options.ClientSecret, body)),
            new(HubSpotSignature.VersionHeader, "v1"),
            new(HubSpotSignature.SignatureV3Header, HubSpotSignature.ComputeV3(_options.ClientSecret, "POST", url.AbsoluteUri, body, timestamp)),
            new(HubSpotSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture)),
        ]);
    }

    /// <summary>
    /// A stable id per subscription type, standing in for the ids of the app's subscriptions (which the sandbox does not
    /// keep).
    /// </summary>
    private static long SubscriptionId(string subscriptionType)
    {
        var hash = 0L;
        foreach (var character in subscriptionType)
            hash = ((hash * 31) + character) % 900_000;
        return 100_000 + hash;
    }
}
