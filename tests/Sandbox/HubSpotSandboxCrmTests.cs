using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Sandbox.HubSpot;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Sandbox;

/// <summary>The CRM objects API v3, one record at a time: create, read, update, archive, values and their rules.</summary>
public sealed class HubSpotSandboxCrmTests
{
    [Fact]
    public async Task A_contact_is_created_read_updated_cleared_and_archived()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var created = await api.PostJsonAsync("crm/v3/objects/contacts", """{"properties":{"email":"edsger@dijkstra.example","firstname":"Edsger","lastname":"Dijkstra","phone":"+31 20 555 0100"}}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var contact = await created.JsonAsync();
        var id = contact.GetProperty("id").GetString()!;
        Assert.Equal("51100", id);
        Assert.Equal("Edsger", contact.Property("firstname"));
        Assert.Equal(id, contact.Property("hs_object_id"));
        Assert.False(contact.GetProperty("archived").GetBoolean());

        var updated = await (await api.PatchJsonAsync($"crm/v3/objects/contacts/{id}", """{"properties":{"lastname":"W. Dijkstra","phone":""}}""")).JsonAsync();
        Assert.Equal("W. Dijkstra", updated.Property("lastname"));
        var read = await api.GetJsonAsync($"crm/v3/objects/contacts/{id}?properties=lastname,phone,email");
        Assert.Equal("W. Dijkstra", read.Property("lastname"));
        Assert.Equal(JsonValueKind.Null, read.GetProperty("properties").GetProperty("phone").ValueKind);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"crm/v3/objects/contacts/{id}")).StatusCode);
        var gone = await api.GetAsync($"crm/v3/objects/contacts/{id}");
        await gone.AssertHubSpotErrorAsync(404, "OBJECT_NOT_FOUND");
        var archived = await api.GetJsonAsync($"crm/v3/objects/contacts/{id}?archived=true");
        Assert.True(archived.GetProperty("archived").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"crm/v3/objects/contacts/{id}")).StatusCode);
    }

    [Fact]
    public async Task Writing_an_unknown_property_is_refused_with_HubSpots_property_errors_and_changes_nothing()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var response = await api.PatchJsonAsync("crm/v3/objects/deals/53001", """{"properties":{"dealname":"Renamed","invoice_status":"Paid"}}""");
        var message = await response.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        Assert.StartsWith("Property values were not valid: [", message);
        var problems = JsonDocument.Parse(message["Property values were not valid: ".Length..]).RootElement;
        var problem = Assert.Single(problems.EnumerateArray());
        Assert.Equal("PROPERTY_DOESNT_EXIST", problem.GetProperty("error").GetString());
        Assert.Equal("invoice_status", problem.GetProperty("name").GetString());
        Assert.Equal("Property \"invoice_status\" does not exist", problem.GetProperty("message").GetString());
        var body = await response.JsonAsync();
        Assert.Equal("PROPERTY_DOESNT_EXIST", body.GetProperty("errors")[0].GetProperty("code").GetString());

        Assert.Equal("Analytical Engines rollout", (await api.GetJsonAsync("crm/v3/objects/deals/53001")).Property("dealname"));

        var create = await api.PostJsonAsync("crm/v3/objects/contacts", """{"properties":{"email":"new@example.com","favourite_colour":"blue"}}""");
        await create.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        Assert.Empty((await api.GetJsonAsync("crm/v3/objects/contacts?after=51100")).GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task A_read_returns_the_asked_properties_and_always_the_system_ones()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var deal = await api.GetJsonAsync("crm/v3/objects/deals/53003?properties=dealname,deal_currency_code,description,no_such_property");
        var properties = deal.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToList();
        Assert.Equal(["createdate", "deal_currency_code", "dealname", "description", "hs_lastmodifieddate", "hs_object_id"], properties);
        Assert.Equal("GBP", deal.Property("deal_currency_code"));
        Assert.Equal(JsonValueKind.Null, deal.GetProperty("properties").GetProperty("description").ValueKind);
        Assert.EndsWith("Z", deal.GetProperty("createdAt").GetString());

        var defaults = await api.GetJsonAsync("crm/v3/objects/deals/53003");
        Assert.Equal("400.00", defaults.Property("amount"));
        Assert.Equal("contractsent", defaults.Property("dealstage"));
        Assert.Equal("default", defaults.Property("pipeline"));

        var byTypeId = await api.GetJsonAsync("crm/v3/objects/0-3/53003");
        Assert.Equal("Bletchley widgets", byTypeId.Property("dealname"));

        var byEmail = await api.GetJsonAsync("crm/v3/objects/contacts/GRACE@cobol.example?idProperty=email");
        Assert.Equal("51002", byEmail.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_line_items_amount_is_quantity_times_price_and_cannot_be_written()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var lineItem = await (await api.PostJsonAsync("crm/v3/objects/line_items", """{"properties":{"name":"Widget","quantity":"3","price":"19.99"}}""")).JsonAsync();
        Assert.Equal("59.97", lineItem.Property("amount"));
        var id = lineItem.GetProperty("id").GetString();

        await api.PatchJsonAsync($"crm/v3/objects/line_items/{id}", """{"properties":{"quantity":4}}""");
        Assert.Equal("79.96", (await api.GetJsonAsync($"crm/v3/objects/line_items/{id}")).Property("amount"));

        var write = await api.PatchJsonAsync($"crm/v3/objects/line_items/{id}", """{"properties":{"amount":"1.00"}}""");
        var message = await write.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        Assert.Contains("READ_ONLY_VALUE", message);

        // Made from a product, a line item takes the product's name and price.
        var fromProduct = await (await api.PostJsonAsync("crm/v3/objects/line_items", """{"properties":{"hs_product_id":"54002","quantity":"2"}}""")).JsonAsync();
        Assert.Equal("Implementation", fromProduct.Property("name"));
        Assert.Equal("12000.00", fromProduct.Property("amount"));
    }

    [Fact]
    public async Task Values_are_checked_against_their_property_types()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var yen = await api.PatchJsonAsync("crm/v3/objects/deals/53001", """{"properties":{"deal_currency_code":"JPY"}}""");
        Assert.Contains("JPY was not one of the allowed options: [USD, GBP, EUR]", await yen.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));

        var stage = await api.PatchJsonAsync("crm/v3/objects/deals/53001", """{"properties":{"dealstage":"won"}}""");
        Assert.Contains("won is not a valid pipeline stage ID", await stage.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));

        var amount = await api.PatchJsonAsync("crm/v3/objects/deals/53001", """{"properties":{"amount":"lots"}}""");
        Assert.Contains("lots was not a valid number.", await amount.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));

        // A date property takes midnight UTC only; a datetime takes epoch milliseconds and answers ISO 8601.
        var notMidnight = await api.PatchJsonAsync("crm/v3/objects/quotes/56003", """{"properties":{"hs_expiration_date":"1579179660000"}}""");
        Assert.Contains("1579179660000 is at 13:1:0.0 UTC, not midnight!", await notMidnight.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
        await api.PatchJsonAsync("crm/v3/objects/quotes/56003", """{"properties":{"hs_expiration_date":"1430438400000"}}""");
        Assert.Equal("2015-05-01", (await api.GetJsonAsync("crm/v3/objects/quotes/56003?properties=hs_expiration_date")).Property("hs_expiration_date"));
        await api.PatchJsonAsync("crm/v3/objects/deals/53001", """{"properties":{"closedate":1582947017000}}""");
        Assert.Equal("2020-02-29T03:30:17.000Z", (await api.GetJsonAsync("crm/v3/objects/deals/53001")).Property("closedate"));
    }

    [Fact]
    public async Task A_second_contact_with_the_same_email_is_a_conflict()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var response = await api.PostJsonAsync("crm/v3/objects/contacts", """{"properties":{"email":"Ada@Analytical.example","firstname":"Augusta"}}""");
        Assert.Equal("Contact already exists. Existing ID: 51001", await response.AssertHubSpotErrorAsync(409, "CONFLICT"));
    }

    [Fact]
    public async Task Bad_paths_and_bodies_get_HubSpot_errors_never_a_500()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        Assert.Equal("Unable to infer object type from: widgets", await (await api.GetAsync("crm/v3/objects/widgets/1")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
        Assert.StartsWith("Invalid input JSON on line 1", await (await api.PostJsonAsync("crm/v3/objects/deals", "{\"properties\":")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
        Assert.StartsWith("Invalid input JSON", await (await api.PostAsync("crm/v3/objects/deals", null)).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
        await (await api.PostJsonAsync("crm/v3/objects/deals", """{"properties":{"dealname":{"nested":true}}}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        await (await api.GetAsync("crm/v3/objects/deals?limit=lots")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        await (await api.GetAsync("crm/v3/objects/deals/53001?archived=maybe")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        Assert.Equal("Object not found.  objectId are usually numeric.", await (await api.GetAsync("crm/v3/objects/deals/abc")).AssertHubSpotErrorAsync(404, "OBJECT_NOT_FOUND"));
        await (await api.PatchJsonAsync("crm/v3/objects/deals/99999", """{"properties":{"dealname":"x"}}""")).AssertHubSpotErrorAsync(404, "OBJECT_NOT_FOUND");

        // Required on create: a deal's stage, a quote's title and expiration date, a note's timestamp.
        Assert.Contains("dealstage is required", await (await api.PostJsonAsync("crm/v3/objects/deals", """{"properties":{"dealname":"x"}}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
        Assert.Contains("hs_timestamp is required", await (await api.PostJsonAsync("crm/v3/objects/notes", """{"properties":{"hs_note_body":"x"}}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
    }

    [Fact]
    public async Task The_list_pages_through_every_record_with_after()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var ids = new List<string>();
        var path = "crm/v3/objects/contacts?limit=2";
        var pages = 0;
        while (true)
        {
            var page = await api.GetJsonAsync(path);
            pages++;
            ids.AddRange(page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
            if (!page.TryGetProperty("paging", out var paging))
                break;
            path = "crm/v3/objects/contacts?limit=2&after=" + paging.GetProperty("next").GetProperty("after").GetString();
        }

        Assert.Equal(3, pages);
        Assert.Equal(["51001", "51002", "51003", "51004", "51005"], ids);
        // Line items of deals and of quotes are separate records (a line item belongs to one parent).
        var lineItems = (await api.GetJsonAsync("crm/v3/objects/line_items")).GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(["55001", "55002", "55003", "55004", "55005", "55011", "55012", "55013", "55014"], lineItems);
    }

    [Fact]
    public async Task A_note_on_a_deal_is_read_back_with_the_deals_associations()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var note = await api.PostJsonAsync("crm/v3/objects/notes", """
            {"properties":{"hs_note_body":"Payment of 9000.00 USD received","hs_timestamp":"2026-03-01T10:00:00Z"},
             "associations":[{"to":{"id":"53001"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":214}]}]}
            """);
        Assert.Equal(HttpStatusCode.Created, note.StatusCode);
        var noteId = (await note.JsonAsync()).GetProperty("id").GetString();

        var deal = await api.GetJsonAsync("crm/v3/objects/deals/53001?associations=notes");
        var association = Assert.Single(deal.GetProperty("associations").GetProperty("notes").GetProperty("results").EnumerateArray());
        Assert.Equal(noteId, association.GetProperty("id").GetString());
        Assert.Equal("deal_to_note", association.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Merging_two_contacts_keeps_the_primary_and_moves_what_it_lacks()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();
        var duplicate = await (await api.PostJsonAsync("crm/v3/objects/contacts", """{"properties":{"email":"ada.lovelace@analytical.example","phone":"+44 20 7946 0000"}}""")).JsonAsync();
        var duplicateId = duplicate.GetProperty("id").GetString();

        var merged = await api.PostJsonAsync("crm/v3/objects/contacts/merge", $$"""{"primaryObjectId":"51001","objectIdToMerge":"{{duplicateId}}"}""");
        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        var primary = await api.GetJsonAsync("crm/v3/objects/contacts/51001?properties=email,phone");
        Assert.Equal("ada@analytical.example", primary.Property("email"));
        Assert.Equal("+44 20 7946 0000", primary.Property("phone"));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"crm/v3/objects/contacts/{duplicateId}")).StatusCode);
    }

    [Fact]
    public async Task Property_history_lists_the_values_newest_first_with_who_set_them()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        await api.PatchJsonAsync("crm/v3/objects/deals/53002", """{"properties":{"dealstage":"decisionmakerboughtin"}}""");
        await sandbox.Anonymous.PatchJsonAsync("admin/objects/deals/53002", """{"properties":{"dealstage":"closedwon"}}""");

        var deal = await api.GetJsonAsync("crm/v3/objects/deals/53002?propertiesWithHistory=dealstage");
        var history = deal.GetProperty("propertiesWithHistory").GetProperty("dealstage").EnumerateArray().ToList();
        Assert.Equal(["closedwon", "decisionmakerboughtin", "contractsent"], history.Select(h => h.GetProperty("value").GetString()));
        Assert.Equal(["CRM_UI", "API"], history.Take(2).Select(h => h.GetProperty("sourceType").GetString()));
        Assert.Equal(1000001, history[0].GetProperty("updatedByUserId").GetInt64());
    }

    [Fact]
    public async Task Change_observers_see_each_value_as_it_is_stored_and_no_write_that_changes_nothing()
    {
        var observer = new RecordingObserver();
        await using var app = await RunningApp.StartAsync(global::OrleansSync.Sandbox.Program.CreateApp, [], builder => builder.Services.AddSingleton<ICrmChangeObserver>(observer));
        using var admin = new HttpClient { BaseAddress = new Uri(app.Address, "sandbox/hubspot/") };
        var token = (await (await admin.PostAsync("admin/portals/7262481/tokens", null)).JsonAsync()).GetProperty("access_token").GetString();
        using var api = new HttpClient { BaseAddress = admin.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        var seeded = observer.Changes.Count; // the seed's values are seen too
        await api.PatchJsonAsync("crm/v3/objects/deals/53002", """{"properties":{"dealstage":"decisionmakerboughtin","closedate":"2027-01-05"}}""");
        await api.PatchJsonAsync("crm/v3/objects/deals/53002", """{"properties":{"dealstage":"decisionmakerboughtin"}}""");
        await admin.PatchJsonAsync("admin/objects/deals/53002", """{"properties":{"dealstage":"closedwon"}}""");

        Assert.Equal(
            [("dealstage", "decisionmakerboughtin", "API"), ("closedate", "2027-01-05T00:00:00.000Z", "API"), ("dealstage", "closedwon", "CRM_UI")],
            observer.Changes.Skip(seeded).Where(c => c.ObjectType == "deals" && c.ObjectId == 53002).Select(c => (c.Property, c.Value, c.Source)));
        Assert.All(observer.Changes, c => Assert.Equal(7262481, c.PortalId));
    }

    private sealed class RecordingObserver : ICrmChangeObserver
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<CrmPropertyChange> _changes = new();

        public IReadOnlyList<CrmPropertyChange> Changes => [.. _changes];

        public void PropertyChanged(CrmPropertyChange change) => _changes.Enqueue(change);
    }
}
