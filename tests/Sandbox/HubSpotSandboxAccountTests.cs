using System.Globalization;
using System.Net;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Tests.Sandbox;

/// <summary>The account settings the product reads, and the admin's view of portals.</summary>
public sealed class HubSpotSandboxAccountTests
{
    [Fact]
    public async Task The_demo_portal_is_a_US_dollar_account_in_New_York_with_pounds_and_euros()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var details = await api.GetJsonAsync("account-info/v3/details");
        Assert.Equal(DemoData.PortalId, details.GetProperty("portalId").GetInt64());
        Assert.Equal("STANDARD", details.GetProperty("accountType").GetString());
        Assert.Equal("America/New_York", details.GetProperty("timeZone").GetString());
        Assert.Equal("USD", details.GetProperty("companyCurrency").GetString());
        Assert.Equal(["GBP", "EUR"], details.GetProperty("additionalCurrencies").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("app.hubspot.com", details.GetProperty("uiDomain").GetString());
        Assert.Equal("na1", details.GetProperty("dataHostingLocation").GetString());

        var offset = TimeZoneInfo.FindSystemTimeZoneById("America/New_York").GetUtcOffset(sandbox.Clock.GetUtcNow());
        Assert.Equal((long)offset.TotalMilliseconds, details.GetProperty("utcOffsetMilliseconds").GetInt64());
        Assert.Equal("-" + offset.Duration().ToString("hh\\:mm", CultureInfo.InvariantCulture), details.GetProperty("utcOffset").GetString());

        var currency = await api.GetJsonAsync("settings/v3/currencies/company-currency");
        Assert.Equal("USD", currency.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Without_demo_data_the_demo_portal_starts_empty()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync("--Sandbox:SeedDemoData=false");
        var api = await sandbox.ApiAsync();

        Assert.Empty((await api.GetJsonAsync("crm/v3/objects/deals")).GetProperty("results").EnumerateArray());
        var created = await api.PostJsonAsync("crm/v3/objects/deals", """{"properties":{"dealname":"First","dealstage":"appointmentscheduled","deal_currency_code":"EUR"}}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("53100", (await created.JsonAsync()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_admin_lists_portals_with_their_record_counts()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        await sandbox.TokenAsync(portalId: 31337);

        var portals = (await sandbox.Anonymous.GetJsonAsync("admin/portals")).EnumerateArray()
            .ToDictionary(p => p.GetProperty("account").GetProperty("portalId").GetInt64(), p => p.GetProperty("records"));
        Assert.Equal([31337L, DemoData.PortalId], portals.Keys.Order());
        var demo = portals[DemoData.PortalId];
        Assert.Equal(5, demo.GetProperty("contacts").GetInt32());
        Assert.Equal(5, demo.GetProperty("companies").GetInt32());
        Assert.Equal(5, demo.GetProperty("products").GetInt32());
        Assert.Equal(4, demo.GetProperty("deals").GetInt32());
        Assert.Equal(3, demo.GetProperty("quotes").GetInt32());
        Assert.Equal(0, portals[31337].GetProperty("deals").GetInt32());
    }

    [Fact]
    public async Task The_deal_pipeline_lists_the_stage_ids_dealstage_accepts()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var pipeline = Assert.Single((await api.GetJsonAsync("crm/v3/pipelines/deals")).GetProperty("results").EnumerateArray());
        Assert.Equal("default", pipeline.GetProperty("id").GetString());
        var stages = pipeline.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(["appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"], stages.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("true", stages[5].GetProperty("metadata").GetProperty("isClosed").GetString());

        foreach (var stage in stages)
        {
            var id = stage.GetProperty("id").GetString();
            Assert.Equal(HttpStatusCode.OK, (await api.PatchJsonAsync("crm/v3/objects/deals/53004", $$$"""{"properties":{"dealstage":"{{{id}}}"}}""")).StatusCode);
        }
    }
}
