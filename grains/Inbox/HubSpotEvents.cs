using System.Globalization;
using Microsoft.Extensions.Logging;
using OrleansSync.Clients.Webhooks;
using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Deals;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Grains.Inbox;

/// <summary>
/// HubSpot's webhook events, from the inbox to the records they concern: deletions, restores and merges of deals,
/// contacts and companies; associations between a deal and its contacts and companies; and changes to the deal
/// properties we write. Everything else HubSpot sends is of no concern here and is dropped.
/// </summary>
public static partial class HubSpotEvents
{
    public static async Task DeliverAsync(IGrainFactory grains, InboxMessage message, ILogger logger)
    {
        var hubSpotEvent = HubSpotWebhook.ParseEvent(message.Payload);
        if (Interpret(hubSpotEvent) is not { } target)
            return;

        var settings = await grains.Tenant(hubSpotEvent.PortalId).GetSettingsAsync();
        if (!settings.Installed)
        {
            LogNotInstalled(logger, hubSpotEvent.PortalId, hubSpotEvent.SubscriptionType);
            return;
        }

        var cause = ChangeCause.Webhook("HubSpot", $"{hubSpotEvent.SubscriptionType} {hubSpotEvent.EventId} (inbox {message.Id})");
        await grains.Record(hubSpotEvent.PortalId, target.Record).HubSpotChangedAsync(target.Change, cause);
    }

    /// <summary>The record an event is about and what it says happened to it; null when it concerns nothing of ours.</summary>
    public static (CrmRecord Record, RecordChange Change)? Interpret(HubSpotWebhookEvent e)
    {
        var dot = e.SubscriptionType.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
            return null;
        var objectType = Plural(e.SubscriptionType[..dot]);
        var change = e.SubscriptionType[(dot + 1)..];
        var at = e.OccurredAtTime;
        if (objectType is null)
            return null;

        switch (change)
        {
            case "deletion" when e.ObjectId is { } id:
                return (new CrmRecord(objectType, Id(id)), new RecordChange(RecordChangeKinds.Deleted, at));
            case "restore" when e.ObjectId is { } id:
                return (new CrmRecord(objectType, Id(id)), new RecordChange(RecordChangeKinds.Restored, at));
            case "merge" when (e.PrimaryObjectId ?? e.ObjectId) is { } primary && e.MergedObjectIds is { Count: > 0 } merged:
                return (new CrmRecord(objectType, Id(primary)), new RecordChange(RecordChangeKinds.Merged, at, MergedIds: merged.Select(Id).ToList()));
            case "associationChange" when Association(e) is { } association:
                return association;
            case "propertyChange" when objectType == CrmRecord.Deals && e.ObjectId is { } id && IsOurs(e.PropertyName):
                return (CrmRecord.Deal(Id(id)), new RecordChange(RecordChangeKinds.PropertyChanged, at, PropertyName: e.PropertyName, PropertyValue: e.PropertyValue));
            default:
                return null;
        }
    }

    /// <summary>A deal's association with a contact or company, from either end ("DEAL_TO_CONTACT", "CONTACT_TO_DEAL"…), as seen from the deal.</summary>
    private static (CrmRecord, RecordChange)? Association(HubSpotWebhookEvent e)
    {
        if (e.AssociationType?.Split("_TO_") is not [var from, var to] || e.FromObjectId is not { } fromId || e.ToObjectId is not { } toId)
            return null;
        var kind = e.AssociationRemoved == true ? RecordChangeKinds.Dissociated : RecordChangeKinds.Associated;
        var (dealId, otherType, otherId) = (from, to) switch
        {
            ("DEAL", "CONTACT") => (fromId, CrmRecord.Contacts, toId),
            ("DEAL", "COMPANY") => (fromId, CrmRecord.Companies, toId),
            ("CONTACT", "DEAL") => (toId, CrmRecord.Contacts, fromId),
            ("COMPANY", "DEAL") => (toId, CrmRecord.Companies, fromId),
            _ => (0L, "", 0L),
        };
        return otherType.Length == 0
            ? null
            : (CrmRecord.Deal(Id(dealId)), new RecordChange(kind, e.OccurredAtTime, Other: new CrmRecord(otherType, Id(otherId))));
    }

    private static bool IsOurs(string? property)
        => property is DealProperties.AmountBilled or DealProperties.Recipient or DealProperties.Number or DealProperties.Status or DealProperties.DueDate;

    private static string? Plural(string singular) => singular switch
    {
        "deal" => CrmRecord.Deals,
        "contact" => CrmRecord.Contacts,
        "company" => CrmRecord.Companies,
        _ => null,
    };

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped a HubSpot {SubscriptionType} event for portal {PortalId}, which has not installed the app")]
    private static partial void LogNotInstalled(ILogger logger, long portalId, string subscriptionType);
}
