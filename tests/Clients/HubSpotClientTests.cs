using System.Net;
using System.Net.Http.Json;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.HubSpot.Model;
using OrleansSync.Sandbox.Common;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Clients;

/// <summary>Every HubSpot client operation against the sandbox, through the app's real OAuth install.</summary>
public sealed class HubSpotClientTests
{
    private const long Portal = DemoData.PortalId;

    [Fact]
    public async Task A_deal_is_read_with_its_properties_and_associations_and_updated()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var client = sandbox.HubSpot;

        var deal = await client.GetObjectAsync(Portal, CrmObjectTypes.Deals, "53001", ["dealname", "amount", "deal_currency_code"], [CrmObjectTypes.Contacts, CrmObjectTypes.LineItems]);
        Assert.Equal("Analytical Engines rollout", deal.Property("dealname"));
        Assert.Equal(["51001"], deal.Associations![CrmObjectTypes.Contacts].Results.Select(r => r.Id));
        Assert.Equal(["55001", "55002"], deal.Associations!["line items"].Results.Select(r => r.Id).Order());

        var updated = await client.UpdateObjectAsync(Portal, CrmObjectTypes.Deals, "53001", new Dictionary<string, string?> { ["description"] = "Invoiced from QuickBooks" });
        Assert.Equal("Invoiced from QuickBooks", updated.Property("description"));
        Assert.Equal("Invoiced from QuickBooks", (await client.GetObjectAsync(Portal, CrmObjectTypes.Deals, "53001", ["description"])).Property("description"));
    }

    [Fact]
    public async Task Records_are_created_read_and_updated_in_batches_of_at_most_100()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var client = sandbox.HubSpot;

        var contact = await client.CreateObjectAsync(Portal, CrmObjectTypes.Contacts, new Dictionary<string, string?> { ["firstname"] = "Edsger", ["lastname"] = "Dijkstra", ["email"] = "edsger@structured.example" });
        var read = await client.BatchReadAsync(Portal, CrmObjectTypes.Contacts, [contact.Id, "51001", "99999999"], ["email"]);
        Assert.Equal(["ada@analytical.example", "edsger@structured.example"], read.Select(c => c.Property("email")).Order());

        var updated = await client.BatchUpdateAsync(Portal, CrmObjectTypes.Contacts, [new BatchUpdateInput(contact.Id, new() { ["phone"] = "+31 20 555 0100" }), new BatchUpdateInput("51001", new() { ["phone"] = "+44 20 555 0100" })]);
        Assert.Equal(2, updated.Count);
        await Assert.ThrowsAsync<ArgumentException>(() => client.BatchReadAsync(Portal, CrmObjectTypes.Contacts, Enumerable.Range(0, 101).Select(i => $"{i}").ToList(), ["email"]));
    }

    [Fact]
    public async Task HubSpot_errors_arrive_typed_with_their_category()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var client = sandbox.HubSpot;

        var missing = await Assert.ThrowsAsync<HubSpotNotFoundException>(() => client.GetObjectAsync(Portal, CrmObjectTypes.Deals, "404404"));
        Assert.Equal("OBJECT_NOT_FOUND", missing.Category);
        var invalid = await Assert.ThrowsAsync<HubSpotException>(() => client.UpdateObjectAsync(Portal, CrmObjectTypes.Deals, "53001", new Dictionary<string, string?> { ["no_such_property"] = "x" }));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("VALIDATION_ERROR", invalid.Category);
        Assert.NotNull(invalid.CorrelationId);
    }

    [Fact]
    public async Task A_search_filters_sorts_and_pages_through_every_match()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var client = sandbox.HubSpot;
        for (var i = 0; i < 30; i++)
            await client.CreateObjectAsync(Portal, CrmObjectTypes.Contacts, new Dictionary<string, string?> { ["firstname"] = $"Searcher{i:D2}", ["email"] = $"searcher{i:D2}@search.example" });

        var byEmail = await client.SearchAsync(Portal, CrmObjectTypes.Contacts, new SearchRequest
        {
            FilterGroups = [new FilterGroup([new Filter("email", "EQ", "ada@analytical.example")])],
            Properties = ["email", "firstname"],
            Limit = 10,
        });
        Assert.Equal(("51001", 1), (Assert.Single(byEmail.Results).Id, byEmail.Total));

        var all = await client.SearchAllAsync(Portal, CrmObjectTypes.Contacts, new SearchRequest
        {
            FilterGroups = [new FilterGroup([new Filter("email", "CONTAINS_TOKEN", "*@search.example")])],
            Sorts = [new SearchSort("firstname", "DESCENDING")],
            Properties = ["firstname"],
        });
        Assert.False(all.Truncated);
        Assert.Equal(30, all.Total);
        Assert.Equal(Enumerable.Range(0, 30).Reverse().Select(i => $"Searcher{i:D2}"), all.Results.Select(c => c.Property("firstname")));
    }

    [Fact]
    public async Task Associations_are_read_made_labelled_and_removed()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var client = sandbox.HubSpot;

        var contacts = await client.GetAssociationsAsync(Portal, CrmObjectTypes.Deals, "53001", CrmObjectTypes.Contacts);
        Assert.Contains(Assert.Single(contacts).AssociationTypes, t => t.TypeId == AssociationTypeIds.DealToContact);

        await client.AssociateDefaultAsync(Portal, CrmObjectTypes.Deals, "53001", CrmObjectTypes.Contacts, "51002");
        await client.AssociateAsync(Portal, CrmObjectTypes.Deals, "53001", CrmObjectTypes.Companies, "52002", [AssociationSpec.HubSpotDefined(341)]);
        Assert.Equal([51001L, 51002L], (await client.GetAssociationsAsync(Portal, CrmObjectTypes.Deals, "53001", CrmObjectTypes.Contacts)).Select(a => a.ToObjectId).Order());
        Assert.Contains(await client.GetAssociationsAsync(Portal, CrmObjectTypes.Deals, "53001", CrmObjectTypes.Companies), a => a.ToObjectId == 52002);

        await client.RemoveAssociationAsync(Portal, CrmObjectTypes.Deals, "53001", CrmObjectTypes.Contacts, "51002");
        Assert.Equal([51001L], (await client.GetAssociationsAsync(Portal, CrmObjectTypes.Deals, "53001", CrmObjectTypes.Contacts)).Select(a => a.ToObjectId));
        Assert.Contains(await client.GetAssociationLabelsAsync(Portal, CrmObjectTypes.Deals, CrmObjectTypes.Contacts), l => l.TypeId == AssociationTypeIds.DealToContact);
    }

    [Fact]
    public async Task Our_property_group_and_properties_are_created_once()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var client = sandbox.HubSpot;

        Assert.Null(await client.GetPropertyGroupAsync(Portal, CrmObjectTypes.Deals, "orleanssync_invoice"));
        await client.CreatePropertyGroupAsync(Portal, CrmObjectTypes.Deals, new PropertyGroup("orleanssync_invoice", "QuickBooks invoice", 5));
        Assert.Equal("QuickBooks invoice", (await client.GetPropertyGroupAsync(Portal, CrmObjectTypes.Deals, "orleanssync_invoice"))?.Label);

        Assert.Null(await client.GetPropertyAsync(Portal, CrmObjectTypes.Deals, "orleanssync_invoice_number"));
        var property = new PropertyDefinition { Name = "orleanssync_invoice_number", Label = "Invoice number", Type = "string", FieldType = "text", GroupName = "orleanssync_invoice" };
        await client.CreatePropertyAsync(Portal, CrmObjectTypes.Deals, property);
        Assert.Equal("Invoice number", (await client.GetPropertyAsync(Portal, CrmObjectTypes.Deals, "orleanssync_invoice_number"))?.Label);
        var again = await Assert.ThrowsAsync<HubSpotException>(() => client.CreatePropertyAsync(Portal, CrmObjectTypes.Deals, property));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var deal = await client.UpdateObjectAsync(Portal, CrmObjectTypes.Deals, "53001", new Dictionary<string, string?> { ["orleanssync_invoice_number"] = "1001" });
        Assert.Equal("1001", deal.Property("orleanssync_invoice_number"));
    }

    [Fact]
    public async Task Account_details_tell_the_company_currency_and_time_zone()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var details = await sandbox.HubSpot.GetAccountDetailsAsync(Portal);
        Assert.Equal((Portal, "USD", "America/New_York"), (details.PortalId, details.CompanyCurrency, details.TimeZone));
    }

    [Fact]
    public async Task A_note_lands_on_the_deal()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var note = await sandbox.HubSpot.CreateDealNoteAsync(Portal, "53002", "Payment of $600.00 received for invoice 1001", DateTimeOffset.UtcNow);

        Assert.Equal("Payment of $600.00 received for invoice 1001", note.Property("hs_note_body"));
        Assert.Contains(await sandbox.HubSpot.GetAssociationsAsync(Portal, CrmObjectTypes.Deals, "53002", CrmObjectTypes.Notes), a => a.ToObjectId.ToString(System.Globalization.CultureInfo.InvariantCulture) == note.Id);
    }

    [Fact]
    public async Task Timeline_events_are_refused_unless_the_app_may_use_them()
    {
        var timelineEvent = new TimelineEvent { EventTemplateId = "1001", ObjectId = "53001", Id = "payment-1", Tokens = new() { ["amount"] = "600.00" } };
        await using (var refused = await SandboxClients.StartAsync())
        {
            var error = await Assert.ThrowsAsync<HubSpotException>(() => refused.HubSpot.CreateTimelineEventAsync(Portal, timelineEvent));
            Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        }

        await using var allowed = await SandboxClients.StartAsync(["--Sandbox:HubSpot:TimelineEventsEnabled=true"]);
        using var admin = allowed.HubSpotAdmin();
        // The app's developers make the template once, in HubSpot; the product is configured with its id.
        using var developer = new HttpClient { BaseAddress = new Uri(allowed.Sandbox.Address, "sandbox/hubspot/") };
        developer.DefaultRequestHeaders.Authorization = new("Bearer", allowed.HubSpotTokens.TokensOf(Portal).AccessToken);
        var template = await (await developer.PostAsJsonAsync("integrators/timeline/v3/1234567/event-templates", new
        {
            name = "Payment received",
            objectType = "deals",
            headerTemplate = "Payment of {{amount}}",
            detailTemplate = "Paid in QuickBooks",
            tokens = new[] { new { name = "amount", label = "Amount", type = "string" } },
        })).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        timelineEvent = timelineEvent with { EventTemplateId = template.GetProperty("id").GetString()! };
        await allowed.HubSpot.CreateTimelineEventAsync(Portal, timelineEvent);
        // The same id again overwrites rather than adds.
        await allowed.HubSpot.CreateTimelineEventAsync(Portal, timelineEvent with { Tokens = new() { ["amount"] = "650.00" } });
        var shown = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("timeline/deals/53001");
        var events = shown.GetProperty("results");
        Assert.Equal("650.00", Assert.Single(events.EnumerateArray()).GetProperty("tokens").GetProperty("amount").GetString());
    }

    [Fact]
    public async Task An_expired_access_token_is_refreshed_once_and_the_refresh_token_stays()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        using var admin = sandbox.SandboxAdmin();
        var before = sandbox.HubSpotTokens.TokensOf(Portal);

        await admin.PostAsJsonAsync("clock/advance", new { minutes = 31 });
        var deal = await sandbox.HubSpot.GetObjectAsync(Portal, CrmObjectTypes.Deals, "53001");

        Assert.Equal("53001", deal.Id);
        Assert.Equal(1, sandbox.HubSpotTokens.Refreshes);
        Assert.Equal(1, sandbox.HubSpotResponses[HttpStatusCode.Unauthorized]);
        // HubSpot does not rotate refresh tokens.
        Assert.Equal(before.RefreshToken, sandbox.HubSpotTokens.TokensOf(Portal).RefreshToken);
        Assert.NotEqual(before.AccessToken, sandbox.HubSpotTokens.TokensOf(Portal).AccessToken);
    }

    [Fact]
    public async Task The_daily_limit_is_reported_at_once_without_retrying()
    {
        await using var sandbox = await SandboxClients.StartAsync(["--Sandbox:HubSpot:DailyLimit=3"]);
        for (var i = 0; i < 3; i++)
            await sandbox.HubSpot.GetObjectAsync(Portal, CrmObjectTypes.Deals, "53001");

        var spent = await Assert.ThrowsAsync<HubSpotRateLimitException>(() => sandbox.HubSpot.GetObjectAsync(Portal, CrmObjectTypes.Deals, "53001"));
        Assert.True(spent.IsDaily);
        Assert.Equal(1, sandbox.HubSpotResponses[HttpStatusCode.TooManyRequests]);
    }

    [Fact]
    public async Task Retries_recover_idempotent_work_under_twenty_percent_injected_server_errors()
    {
        await using var sandbox = await SandboxClients.StartAsync(["--Sandbox:HubSpot:Faults:ServerErrorRate=0.2"]);

        var reads = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => sandbox.HubSpot.GetObjectAsync(Portal, CrmObjectTypes.Deals, "53002", ["dealname"])));
        for (var i = 0; i < 20; i++)
            await sandbox.HubSpot.UpdateObjectAsync(Portal, CrmObjectTypes.Deals, "53002", new Dictionary<string, string?> { ["description"] = $"update {i}" });

        Assert.All(reads, deal => Assert.Equal("COBOL Inc support", deal.Property("dealname")));
        Assert.Equal("update 19", (await sandbox.HubSpot.GetObjectAsync(Portal, CrmObjectTypes.Deals, "53002", ["description"])).Property("description"));
        Assert.True(sandbox.HubSpotResponses[HttpStatusCode.InternalServerError] + sandbox.HubSpotResponses[HttpStatusCode.BadGateway] + sandbox.HubSpotResponses[HttpStatusCode.ServiceUnavailable] > 0, "no server error was injected");
    }
}
