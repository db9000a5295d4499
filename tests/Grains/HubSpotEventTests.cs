using OrleansSync.Clients.Webhooks;
using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Deals;
using OrleansSync.Grains.Inbox;

namespace OrleansSync.Tests.Grains;

/// <summary>Which HubSpot webhook events concern which record, and what they say happened to it.</summary>
public sealed class HubSpotEventTests
{
    private static HubSpotWebhookEvent Event(string type) => new() { EventId = 1, PortalId = 7262481, OccurredAt = 1_700_000_000_000, SubscriptionType = type };

    [Theory]
    [InlineData("DEAL_TO_CONTACT", 10, 20, "10", "contacts", "20")]
    [InlineData("CONTACT_TO_DEAL", 20, 10, "10", "contacts", "20")]
    [InlineData("DEAL_TO_COMPANY", 10, 30, "10", "companies", "30")]
    [InlineData("COMPANY_TO_DEAL", 30, 10, "10", "companies", "30")]
    public void Association_changes_are_seen_from_the_deal_whichever_end_HubSpot_names_first(string associationType, long from, long to, string deal, string otherType, string otherId)
    {
        var target = HubSpotEvents.Interpret(Event("deal.associationChange") with { AssociationType = associationType, FromObjectId = from, ToObjectId = to, AssociationRemoved = false });

        Assert.Equal(CrmRecord.Deal(deal), target!.Value.Record);
        Assert.Equal(RecordChangeKinds.Associated, target.Value.Change.Kind);
        Assert.Equal(new CrmRecord(otherType, otherId), target.Value.Change.Other);
    }

    [Fact]
    public void A_removed_association_dissociates_and_other_associations_concern_nothing_of_ours()
    {
        Assert.Equal(RecordChangeKinds.Dissociated, HubSpotEvents.Interpret(Event("deal.associationChange") with { AssociationType = "DEAL_TO_CONTACT", FromObjectId = 1, ToObjectId = 2, AssociationRemoved = true })!.Value.Change.Kind);
        Assert.Null(HubSpotEvents.Interpret(Event("deal.associationChange") with { AssociationType = "DEAL_TO_LINE_ITEM", FromObjectId = 1, ToObjectId = 2 }));
    }

    [Theory]
    [InlineData("deal.deletion", "deals", RecordChangeKinds.Deleted)]
    [InlineData("contact.deletion", "contacts", RecordChangeKinds.Deleted)]
    [InlineData("company.restore", "companies", RecordChangeKinds.Restored)]
    public void Deletions_and_restores_reach_the_record(string type, string objectType, string kind)
    {
        var target = HubSpotEvents.Interpret(Event(type) with { ObjectId = 5 });

        Assert.Equal(new CrmRecord(objectType, "5"), target!.Value.Record);
        Assert.Equal(kind, target.Value.Change.Kind);
    }

    [Fact]
    public void A_merge_reaches_the_record_that_remains_with_the_ones_merged_into_it()
    {
        var target = HubSpotEvents.Interpret(Event("deal.merge") with { ObjectId = 9, PrimaryObjectId = 9, MergedObjectIds = [7, 8] });

        Assert.Equal(CrmRecord.Deal("9"), target!.Value.Record);
        Assert.Equal(["7", "8"], target.Value.Change.MergedIds!);
    }

    [Fact]
    public void Only_changes_to_our_deal_properties_matter()
    {
        Assert.NotNull(HubSpotEvents.Interpret(Event("deal.propertyChange") with { ObjectId = 1, PropertyName = DealProperties.Status, PropertyValue = "overdue" }));
        Assert.Null(HubSpotEvents.Interpret(Event("deal.propertyChange") with { ObjectId = 1, PropertyName = "dealstage", PropertyValue = "closedwon" }));
        Assert.Null(HubSpotEvents.Interpret(Event("line_item.creation") with { ObjectId = 1 }));
    }

    [Fact]
    public void A_property_edited_in_HubSpot_is_written_back_but_the_same_amount_written_differently_is_not()
    {
        var written = new DealInvoiceProperties("1250.00", "Ada Lovelace", "1042", "sent_to_customer", "2026-12-01");

        Assert.Equal(written with { Status = "paid_in_full" }, DealProperties.AsSeenInHubSpot(written, DealProperties.Status, "paid_in_full"));
        Assert.Null(DealProperties.AsSeenInHubSpot(written, DealProperties.Status, "sent_to_customer"));
        Assert.Null(DealProperties.AsSeenInHubSpot(written, DealProperties.AmountBilled, "1250"));
        Assert.Equal("99", DealProperties.AsSeenInHubSpot(written, DealProperties.AmountBilled, "99")!.AmountBilled);
        Assert.Null(DealProperties.AsSeenInHubSpot(written, "dealname", "x"));
    }
}
