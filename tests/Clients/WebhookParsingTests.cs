using System.Text;
using OrleansSync.Clients.Webhooks;

namespace OrleansSync.Tests.Clients;

public sealed class WebhookParsingTests
{
    [Fact]
    public void QuickBooks_legacy_notifications_become_one_change_per_entity()
    {
        const string body = """{"eventNotifications":[{"realmId":"1269959970","dataChangeEvent":{"entities":[{"name":"Vendor","id":"40","operation":"Update","lastUpdated":"2016-10-05T03:09:04.000Z"},{"name":"Customer","id":"43","operation":"Merge","lastUpdated":"2015-10-05T14:42:19-0700","deletedId":"27"}]}},{"realmId":"42","dataChangeEvent":{"entities":[{"name":"Invoice","id":"7","operation":"Void","lastUpdated":"2026-11-21T10:00:00Z"}]}}]}""";

        var changes = QuickBooksWebhook.Parse(Encoding.UTF8.GetBytes(body));

        Assert.Equal(3, changes.Count);
        Assert.Equal(new QuickBooksChange("1269959970:Vendor:40:Update:2016-10-05T03:09:04.000Z", "1269959970", "Vendor", "40", "Update", DateTimeOffset.Parse("2016-10-05T03:09:04Z"), null), changes[0]);
        Assert.Equal(("Customer", "43", "Merge", "27"), (changes[1].Entity, changes[1].EntityId, changes[1].Operation, changes[1].DeletedId));
        Assert.Equal(new DateTimeOffset(2015, 10, 5, 14, 42, 19, TimeSpan.FromHours(-7)), changes[1].OccurredAt);
        Assert.Equal(("42", "Invoice", "Void"), (changes[2].RealmId, changes[2].Entity, changes[2].Operation));
    }

    [Fact]
    public void QuickBooks_cloud_events_may_mix_companies()
    {
        const string body = """[{"specversion":"1.0","id":"88cd52aa-1-Customer-123","source":"intuit.dsnBgbse","type":"qbo.customer.merged.v1","datacontenttype":"application/json","time":"2025-09-10T21:31:25.179851517Z","intuitentityid":"123","intuitaccountid":"310687","data":{"deletedid":"27"}},{"specversion":"1.0","id":"e2","source":"intuit.x","type":"qbo.salesreceipt.updated.v1","time":"2025-09-10T21:31:26Z","intuitentityid":"9","intuitaccountid":"555"}]""";

        var changes = QuickBooksWebhook.Parse(Encoding.UTF8.GetBytes(body));

        Assert.Equal(new QuickBooksChange("88cd52aa-1-Customer-123", "310687", "Customer", "123", "Merge", new DateTimeOffset(2025, 9, 10, 21, 31, 25, 179, TimeSpan.Zero).AddTicks(8515), "27"), changes[0]);
        Assert.Equal(("555", "SalesReceipt", "9", "Update"), (changes[1].RealmId, changes[1].Entity, changes[1].EntityId, changes[1].Operation));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"something":"else"}""")]
    [InlineData("""{"eventNotifications":[{"realmId":"1"}]}""")]
    [InlineData("""[{"id":"1","type":"quickbooks.customer","intuitentityid":"1","intuitaccountid":"2"}]""")]
    [InlineData("""[{"id":"1","type":"qbo.customer.created.v1","intuitaccountid":"2"}]""")]
    public void QuickBooks_bodies_that_are_not_webhooks_are_refused_with_a_reason(string body)
    {
        var refused = Assert.Throws<WebhookPayloadException>(() => QuickBooksWebhook.Parse(Encoding.UTF8.GetBytes(body)));
        Assert.False(string.IsNullOrWhiteSpace(refused.Message));
    }

    [Fact]
    public void HubSpot_batches_are_read_with_every_kind_of_event()
    {
        const string body = """[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"deal.propertyChange","attemptNumber":2,"objectId":123,"propertyName":"amount","propertyValue":"100","changeSource":"CRM_UI","sourceId":"userId:45678","appId":54321},{"eventId":2,"subscriptionId":3,"portalId":62515,"occurredAt":1564113600001,"subscriptionType":"deal.associationChange","associationType":"DEAL_TO_CONTACT","fromObjectId":123,"toObjectId":456,"associationRemoved":true,"isPrimaryAssociation":false,"appId":54321},{"eventId":3,"subscriptionId":4,"portalId":62515,"occurredAt":1564113600002,"subscriptionType":"deal.merge","primaryObjectId":123,"mergedObjectIds":[124,125],"newObjectId":123,"appId":54321}]""";

        var events = HubSpotWebhook.Parse(Encoding.UTF8.GetBytes(body));

        Assert.Equal(3, events.Count);
        Assert.Equal(("deal.propertyChange", 123L, "amount", "100", 2), (events[0].SubscriptionType, events[0].ObjectId, events[0].PropertyName, events[0].PropertyValue, events[0].AttemptNumber));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1564113600000), events[0].OccurredAtTime);
        Assert.Equal(("DEAL_TO_CONTACT", 123L, 456L, true), (events[1].AssociationType, events[1].FromObjectId, events[1].ToObjectId, events[1].AssociationRemoved));
        Assert.Equal([124L, 125L], events[2].MergedObjectIds);
        Assert.Equal(3, events.Select(e => e.DeduplicationKey).Distinct().Count());
        // A retried delivery carries a new attempt number but is the same event.
        Assert.Equal(events[0].DeduplicationKey, (events[0] with { AttemptNumber = 5 }).DeduplicationKey);
    }

    [Fact]
    public void HubSpot_bodies_that_are_not_event_arrays_are_refused()
    {
        Assert.Throws<WebhookPayloadException>(() => HubSpotWebhook.Parse(Encoding.UTF8.GetBytes("""{"eventId":1}""")));
        Assert.Throws<WebhookPayloadException>(() => HubSpotWebhook.Parse(Encoding.UTF8.GetBytes("null")));
    }
}
