using System.Net;

namespace OrleansSync.Tests.Sandbox;

/// <summary>Timeline events: refused to apps without access (the default), and for those with it, last write wins per event id.</summary>
public sealed class HubSpotSandboxTimelineTests
{
    private const string Template = """
        {"name":"QuickBooks payment","objectType":"deals","headerTemplate":"Payment of {{amount}} {{currency}}","detailTemplate":"Invoice {{invoice}}",
         "tokens":[{"name":"amount","label":"Amount","type":"number"},{"name":"currency","label":"Currency","type":"enumeration","options":[{"label":"USD","value":"USD"},{"label":"GBP","value":"GBP"}]},
                   {"name":"invoice","label":"Invoice","type":"string"}]}
        """;

    [Fact]
    public async Task An_app_without_timeline_access_is_refused_with_403()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var template = await api.PostJsonAsync("integrators/timeline/v3/1234567/event-templates", Template);
        Assert.Contains("not available to this app", await template.AssertHubSpotErrorAsync(403, "MISSING_SCOPES"));
        var timelineEvent = await api.PostJsonAsync("integrators/timeline/v3/events", """{"eventTemplateId":"1001","objectId":"53001","tokens":{}}""");
        await timelineEvent.AssertHubSpotErrorAsync(403, "MISSING_SCOPES");
    }

    [Fact]
    public async Task An_event_written_twice_with_the_same_id_keeps_the_last_write()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync("--Sandbox:HubSpot:TimelineEventsEnabled=true");
        var api = await sandbox.ApiAsync();

        var created = await api.PostJsonAsync("integrators/timeline/v3/1234567/event-templates", Template);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var templateId = (await created.JsonAsync()).GetProperty("id").GetString();

        var first = await api.PostJsonAsync("integrators/timeline/v3/events", $$$"""{"eventTemplateId":"{{{templateId}}}","id":"payment-77","objectId":"53001","tokens":{"amount":4500,"currency":"USD","invoice":"1037"}}""");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var second = await api.PostJsonAsync("integrators/timeline/v3/events", $$$"""{"eventTemplateId":"{{{templateId}}}","id":"payment-77","objectId":"53001","tokens":{"amount":9000,"currency":"USD","invoice":"1037"}}""");
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);

        var onDeal = await sandbox.Anonymous.GetJsonAsync("admin/timeline/deals/53001");
        var only = Assert.Single(onDeal.GetProperty("results").EnumerateArray());
        Assert.Equal("9000", only.GetProperty("tokens").GetProperty("amount").GetString());
        var read = await api.GetJsonAsync($"integrators/timeline/v3/events/{templateId}/payment-77");
        Assert.Equal("53001", read.GetProperty("objectId").GetString());

        var batch = await api.PostJsonAsync("integrators/timeline/v3/events/batch/create", $$$"""
            {"inputs":[{"eventTemplateId":"{{{templateId}}}","id":"payment-{{uuid}}","objectId":"53002","tokens":{"amount":1200,"currency":"USD"}},
                       {"eventTemplateId":"{{{templateId}}}","objectId":"53002","tokens":{"amount":1,"currency":"JPY"}}]}
            """);
        Assert.Equal(HttpStatusCode.MultiStatus, batch.StatusCode);
        var batchBody = await batch.JsonAsync();
        Assert.StartsWith("payment-", batchBody.GetProperty("results")[0].GetProperty("id").GetString());
        Assert.DoesNotContain("{{uuid}}", batchBody.GetProperty("results")[0].GetProperty("id").GetString());
        Assert.Equal(1, batchBody.GetProperty("numErrors").GetInt32());
    }

    [Fact]
    public async Task An_event_for_a_missing_record_template_or_token_is_refused()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync("--Sandbox:HubSpot:TimelineEventsEnabled=true");
        var api = await sandbox.ApiAsync();
        var templateId = (await (await api.PostJsonAsync("integrators/timeline/v3/1234567/event-templates", Template)).JsonAsync()).GetProperty("id").GetString();

        await (await api.PostJsonAsync("integrators/timeline/v3/events", $$$"""{"eventTemplateId":"{{{templateId}}}","objectId":"59999","tokens":{}}""")).AssertHubSpotErrorAsync(404, "OBJECT_NOT_FOUND");
        await (await api.PostJsonAsync("integrators/timeline/v3/events", """{"eventTemplateId":"4242","objectId":"53001","tokens":{}}""")).AssertHubSpotErrorAsync(404, "OBJECT_NOT_FOUND");
        await (await api.PostJsonAsync("integrators/timeline/v3/events", $$$"""{"eventTemplateId":"{{{templateId}}}","objectId":"53001","tokens":{"colour":"red"}}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        await (await api.PostJsonAsync("integrators/timeline/v3/events", $$$"""{"eventTemplateId":"{{{templateId}}}","objectId":"53001","tokens":{"amount":"a lot"}}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        await (await api.PostJsonAsync("integrators/timeline/v3/1234567/event-templates", """{"name":"x","objectType":"invoices"}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        await (await api.GetAsync("integrators/timeline/v3/999/event-templates")).AssertHubSpotErrorAsync(404, "OBJECT_NOT_FOUND");
    }
}
