using System.Net;
using System.Text.Json;
using OrleansSync.Clients.Webhooks;
using OrleansSync.Sandbox.Common;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Sandbox;

/// <summary>
/// Webhooks as an app receives them: JSON arrays of at most 100 events, signed with v1 and v3 (checked with the
/// client's own <see cref="HubSpotSignature"/>), retried with a rising attemptNumber, or lost when the faults say so.
/// </summary>
public sealed class HubSpotSandboxWebhookTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task An_API_change_arrives_as_a_property_change_signed_with_v1_and_v3()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var sandbox = await HubSpotSandboxHost.StartAsync($"--Sandbox:HubSpot:WebhookUrl={listener.Url}");
        var api = await sandbox.ApiAsync();

        var before = sandbox.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.Equal(HttpStatusCode.OK, (await api.PatchJsonAsync("crm/v3/objects/deals/53001", """{"properties":{"dealname":"Analytical Engines phase 2"}}""")).StatusCode);
        await Eventually.HoldsAsync(() => listener.Events.Count >= 1, Patience, "the property change arrives");

        var request = Assert.Single(listener.Requests);
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("application/json", request.Headers["Content-Type"]);
        Assert.Equal("v1", request.Headers[HubSpotSignature.VersionHeader]);
        Assert.Equal(HubSpotSignatureCheck.Valid, HubSpotSignature.Check(request.HubSpotSigned(withV3: true), HubSpotSandboxHost.ClientSecret, DateTimeOffset.UtcNow));
        Assert.Equal(HubSpotSignatureCheck.Valid, HubSpotSignature.Check(request.HubSpotSigned(withV3: false), HubSpotSandboxHost.ClientSecret, DateTimeOffset.UtcNow, "v1"));
        Assert.Equal(HubSpotSignatureCheck.Invalid, HubSpotSignature.Check(request.HubSpotSigned(withV3: true), "another-secret", DateTimeOffset.UtcNow));
        Assert.Equal(HubSpotSignatureCheck.Invalid, HubSpotSignature.Check(request.HubSpotSigned(withV3: false), "another-secret", DateTimeOffset.UtcNow, "v1"));

        var change = Assert.Single(request.Json.EnumerateArray());
        Assert.Equal("deal.propertyChange", change.GetProperty("subscriptionType").GetString());
        Assert.Equal(DemoData.PortalId, change.GetProperty("portalId").GetInt64());
        Assert.Equal(1_234_567, change.GetProperty("appId").GetInt64());
        Assert.Equal(53001, change.GetProperty("objectId").GetInt64());
        Assert.Equal("dealname", change.GetProperty("propertyName").GetString());
        Assert.Equal("Analytical Engines phase 2", change.GetProperty("propertyValue").GetString());
        Assert.Equal("API", change.GetProperty("changeSource").GetString());
        Assert.Equal(0, change.GetProperty("attemptNumber").GetInt32());
        Assert.InRange(change.GetProperty("occurredAt").GetInt64(), before, sandbox.Clock.GetUtcNow().ToUnixTimeMilliseconds());
        Assert.True(change.GetProperty("eventId").GetInt64() > 0 && change.GetProperty("subscriptionId").GetInt64() > 0);
    }

    [Fact]
    public async Task A_persons_edit_in_HubSpot_arrives_with_change_source_CRM_UI()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var sandbox = await HubSpotSandboxHost.StartAsync($"--Sandbox:HubSpot:WebhookUrl={listener.Url}");

        var edit = await sandbox.Anonymous.PatchJsonAsync("admin/objects/contacts/51002", """{"properties":{"phone":"+1 212 555 0199","firstname":"Grace"}}""");
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        await Eventually.HoldsAsync(() => listener.Events.Count >= 1, Patience, "the edit arrives");
        await Task.Delay(300);

        // Setting a value to what it already is changes nothing and announces nothing.
        var change = Assert.Single(listener.Events);
        Assert.Equal("contact.propertyChange", change.GetProperty("subscriptionType").GetString());
        Assert.Equal("phone", change.GetProperty("propertyName").GetString());
        Assert.Equal("CRM_UI", change.GetProperty("changeSource").GetString());
        Assert.Equal("userId:1000001", change.GetProperty("sourceId").GetString());
    }

    [Fact]
    public async Task Creation_association_calculation_and_deletion_each_arrive()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var sandbox = await HubSpotSandboxHost.StartAsync($"--Sandbox:HubSpot:WebhookUrl={listener.Url}");
        var api = await sandbox.ApiAsync();

        var deal = await (await api.PostJsonAsync("crm/v3/objects/deals", """
            {"properties":{"dealname":"Web rollout","dealstage":"qualifiedtobuy"},
             "associations":[{"to":{"id":"51005"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":3}]}]}
            """)).JsonAsync();
        var dealId = long.Parse(deal.GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        await api.PatchJsonAsync("crm/v3/objects/line_items/55002", """{"properties":{"quantity":"25"}}""");
        await api.PatchJsonAsync("crm/v3/objects/quotes/56003", """{"properties":{"hs_title":"Renamed draft"}}""");
        await api.DeleteAsync($"crm/v3/objects/deals/{dealId}");

        await Eventually.HoldsAsync(() => listener.Events.Any(e => Type(e) == "deal.deletion"), Patience, "the deletion arrives");
        var events = listener.Events;

        var creation = events.Single(e => Type(e) == "deal.creation");
        Assert.Equal(dealId, creation.GetProperty("objectId").GetInt64());
        Assert.Equal("NEW", creation.GetProperty("changeFlag").GetString());
        Assert.Equal(["dealname", "dealstage", "pipeline"], events.Where(e => Type(e) == "deal.propertyChange").Select(e => e.GetProperty("propertyName").GetString()).Order());

        var association = events.Single(e => Type(e) == "deal.associationChange");
        Assert.Equal("DEAL_TO_CONTACT", association.GetProperty("associationType").GetString());
        Assert.Equal(dealId, association.GetProperty("fromObjectId").GetInt64());
        Assert.Equal(51005, association.GetProperty("toObjectId").GetInt64());
        Assert.False(association.GetProperty("associationRemoved").GetBoolean());
        Assert.False(association.GetProperty("isPrimaryAssociation").GetBoolean());
        var inverse = events.Single(e => Type(e) == "contact.associationChange");
        Assert.Equal("CONTACT_TO_DEAL", inverse.GetProperty("associationType").GetString());
        Assert.Equal(51005, inverse.GetProperty("fromObjectId").GetInt64());

        var lineItem = events.Where(e => Type(e) == "line_item.propertyChange").ToDictionary(e => e.GetProperty("propertyName").GetString()!);
        Assert.Equal("25", lineItem["quantity"].GetProperty("propertyValue").GetString());
        Assert.Equal("API", lineItem["quantity"].GetProperty("changeSource").GetString());
        Assert.Equal("3750.00", lineItem["amount"].GetProperty("propertyValue").GetString());
        Assert.Equal("CALCULATED", lineItem["amount"].GetProperty("changeSource").GetString());

        Assert.DoesNotContain(events, e => Type(e).StartsWith("quote.", StringComparison.Ordinal));
        Assert.Equal(dealId, events.Single(e => Type(e) == "deal.deletion").GetProperty("objectId").GetInt64());
    }

    [Fact]
    public async Task Many_changes_arrive_in_batches_of_at_most_100_events_each_with_its_own_id()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var sandbox = await HubSpotSandboxHost.StartAsync($"--Sandbox:HubSpot:WebhookUrl={listener.Url}");
        var api = await sandbox.ApiAsync();

        var inputs = string.Join(",", Enumerable.Range(0, 100).Select(i => $$$"""{"properties":{"email":"person{{{i}}}@example.com","firstname":"Person {{{i}}}"}}"""));
        Assert.Equal(HttpStatusCode.Created, (await api.PostJsonAsync("crm/v3/objects/contacts/batch/create", $$"""{"inputs":[{{inputs}}]}""")).StatusCode);

        // 100 creations and 200 property changes.
        await Eventually.HoldsAsync(() => listener.Events.Count >= 300, Patience, "300 events arrive");
        await Task.Delay(300);
        Assert.Equal(300, listener.Events.Count);
        Assert.True(listener.Requests.Count >= 3);
        Assert.All(listener.Requests, r => Assert.InRange(r.Json.GetArrayLength(), 1, 100));
        Assert.Equal(300, listener.Events.Select(e => e.GetProperty("eventId").GetInt64()).Distinct().Count());
        Assert.Equal(100, listener.Events.Count(e => Type(e) == "contact.creation"));
    }

    [Fact]
    public async Task A_failed_delivery_is_retried_with_a_rising_attempt_number_and_a_fresh_signature()
    {
        await using var listener = await WebhookListener.StartAsync(respond: n => n < 2 ? 503 : 200);
        await using var sandbox = await HubSpotSandboxHost.StartAsync($"--Sandbox:HubSpot:WebhookUrl={listener.Url}", "--Sandbox:WebhookRetryScale=0.001");

        await sandbox.Anonymous.PatchJsonAsync("admin/objects/deals/53002", """{"properties":{"dealstage":"closedwon"}}""");
        await Eventually.HoldsAsync(() => listener.Requests.Count >= 3, Patience, "two retries after two failures");
        await Task.Delay(500);

        var requests = listener.Requests.ToList();
        Assert.Equal(3, requests.Count);
        Assert.Equal([0, 1, 2], requests.Select(r => r.Json[0].GetProperty("attemptNumber").GetInt32()));
        Assert.Single(requests.Select(r => r.Json[0].GetProperty("eventId").GetInt64()).Distinct());
        Assert.Equal(3, requests.Select(r => r.Headers[HubSpotSignature.SignatureHeader]).Distinct().Count());
        Assert.All(requests, r =>
        {
            Assert.Equal(HubSpotSignatureCheck.Valid, HubSpotSignature.Check(r.HubSpotSigned(withV3: true), HubSpotSandboxHost.ClientSecret, DateTimeOffset.UtcNow));
            Assert.Equal(HubSpotSignatureCheck.Valid, HubSpotSignature.Check(r.HubSpotSigned(withV3: false), HubSpotSandboxHost.ClientSecret, DateTimeOffset.UtcNow, "v1"));
        });

        var log = await WebhookLogAsync(sandbox);
        Assert.Equal(["failed", "failed", "delivered"], log.Select(a => a.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task An_answer_slower_than_five_seconds_counts_as_a_failure_and_is_retried()
    {
        await using var listener = await WebhookListener.StartAsync(delay: n => n == 0 ? TimeSpan.FromSeconds(6) : TimeSpan.Zero);
        await using var sandbox = await HubSpotSandboxHost.StartAsync($"--Sandbox:HubSpot:WebhookUrl={listener.Url}", "--Sandbox:WebhookRetryScale=0.001");

        await sandbox.Anonymous.PatchJsonAsync("admin/objects/deals/53002", """{"properties":{"dealstage":"closedwon"}}""");
        await Eventually.HoldsAsync(() => listener.Requests.Count >= 2, Patience, "a retry after the slow answer");
        var log = await WebhookLogAsync(sandbox);
        Assert.Equal("failed", log[0].GetProperty("outcome").GetString());
        Assert.Equal(1, listener.Requests.Last().Json[0].GetProperty("attemptNumber").GetInt32());
    }

    [Fact]
    public async Task Dropped_webhooks_never_arrive()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var sandbox = await HubSpotSandboxHost.StartAsync($"--Sandbox:HubSpot:WebhookUrl={listener.Url}", "--Sandbox:HubSpot:Faults:DroppedWebhookRate=1");
        var api = await sandbox.ApiAsync();

        await api.PatchJsonAsync("crm/v3/objects/contacts/51003", """{"properties":{"phone":"+44 1908 640404"}}""");
        await Eventually.HoldsAsync(async () => (await WebhookLogAsync(sandbox)).Count == 1, Patience, "the delivery is logged");
        await Task.Delay(300);

        Assert.Equal("dropped", (await WebhookLogAsync(sandbox))[0].GetProperty("outcome").GetString());
        Assert.Empty(listener.Requests);
    }

    [Fact]
    public async Task Without_a_webhook_url_nothing_is_sent()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        await api.PatchJsonAsync("crm/v3/objects/contacts/51003", """{"properties":{"phone":"+44 1908 640404"}}""");
        await Task.Delay(300);
        Assert.Empty(await WebhookLogAsync(sandbox));
    }

    private static string Type(JsonElement notification) => notification.GetProperty("subscriptionType").GetString()!;

    private static async Task<IReadOnlyList<JsonElement>> WebhookLogAsync(HubSpotSandboxHost sandbox)
    {
        using var http = new HttpClient { BaseAddress = sandbox.Address };
        var log = await http.GetJsonAsync("/sandbox/admin/webhooks?api=hubspot");
        return [.. log.GetProperty("attempts").EnumerateArray()];
    }
}
