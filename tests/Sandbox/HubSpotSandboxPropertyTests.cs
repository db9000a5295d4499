using System.Net;
using System.Text.Json;

namespace OrleansSync.Tests.Sandbox;

/// <summary>The properties API v3: custom properties are checked as HubSpot checks them, then accepted on records.</summary>
public sealed class HubSpotSandboxPropertyTests
{
    private const string InvoiceStatus = """
        {"name":"qbo_invoice_status","label":"Invoice status","type":"enumeration","fieldType":"select","groupName":"dealinformation",
         "options":[{"label":"Waiting to be sent","value":"waiting"},{"label":"Paid in full","value":"paid"}]}
        """;

    [Fact]
    public async Task A_created_property_can_then_be_written_on_records()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        Assert.Contains("qbo_invoice_status", await (await api.PatchJsonAsync("crm/v3/objects/deals/53001", """{"properties":{"qbo_invoice_status":"paid"}}""")).Content.ReadAsStringAsync());

        var created = await api.PostJsonAsync("crm/v3/properties/deals", InvoiceStatus);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var property = await created.JsonAsync();
        Assert.False(property.GetProperty("hubspotDefined").GetBoolean());
        Assert.Equal(2, property.GetProperty("options").GetArrayLength());

        Assert.Equal(HttpStatusCode.OK, (await api.PatchJsonAsync("crm/v3/objects/deals/53001", """{"properties":{"qbo_invoice_status":"paid"}}""")).StatusCode);
        Assert.Equal("paid", (await api.GetJsonAsync("crm/v3/objects/deals/53001?properties=qbo_invoice_status")).Property("qbo_invoice_status"));
        var wrong = await api.PatchJsonAsync("crm/v3/objects/deals/53001", """{"properties":{"qbo_invoice_status":"Paid in full"}}""");
        Assert.Contains("INVALID_OPTION", await wrong.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));

        var listed = await api.GetJsonAsync("crm/v3/properties/deals");
        Assert.Contains(listed.GetProperty("results").EnumerateArray(), p => p.GetProperty("name").GetString() == "qbo_invoice_status");
        Assert.Equal("Invoice status", (await api.GetJsonAsync("crm/v3/properties/0-3/qbo_invoice_status")).GetProperty("label").GetString());
    }

    [Fact]
    public async Task Creating_a_property_twice_is_a_conflict()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        Assert.Equal(HttpStatusCode.Created, (await api.PostJsonAsync("crm/v3/properties/deals", InvoiceStatus)).StatusCode);
        await (await api.PostJsonAsync("crm/v3/properties/deals", InvoiceStatus)).AssertHubSpotErrorAsync(409, "CONFLICT");
        await (await api.PostJsonAsync("crm/v3/properties/deals", """{"name":"dealname","label":"x","type":"string","fieldType":"text","groupName":"dealinformation"}""")).AssertHubSpotErrorAsync(409, "CONFLICT");
    }

    [Fact]
    public async Task A_property_needs_its_fields_a_compatible_field_type_and_an_existing_group()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var missing = await api.PostJsonAsync("crm/v3/properties/deals", """{"name":"qbo_number","type":"string","fieldType":"text"}""");
        Assert.Contains("[label, groupName]", await missing.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
        var mismatch = await api.PostJsonAsync("crm/v3/properties/deals", """{"name":"qbo_number","label":"n","type":"number","fieldType":"text","groupName":"dealinformation"}""");
        await mismatch.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        var badType = await api.PostJsonAsync("crm/v3/properties/deals", """{"name":"qbo_number","label":"n","type":"money","fieldType":"number","groupName":"dealinformation"}""");
        await badType.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        var noGroup = await api.PostJsonAsync("crm/v3/properties/deals", """{"name":"qbo_number","label":"n","type":"number","fieldType":"number","groupName":"quickbooks"}""");
        await noGroup.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        var badName = await api.PostJsonAsync("crm/v3/properties/deals", """{"name":"QBO Number","label":"n","type":"number","fieldType":"number","groupName":"dealinformation"}""");
        await badName.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");

        var group = await api.PostJsonAsync("crm/v3/properties/deals/groups", """{"name":"quickbooks","label":"QuickBooks","displayOrder":3}""");
        Assert.Equal(HttpStatusCode.Created, group.StatusCode);
        Assert.Contains((await api.GetJsonAsync("crm/v3/properties/deals/groups")).GetProperty("results").EnumerateArray(), g => g.GetProperty("name").GetString() == "quickbooks");
        var created = await api.PostJsonAsync("crm/v3/properties/deals", """{"name":"qbo_number","label":"n","type":"number","fieldType":"number","groupName":"quickbooks"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task An_archived_property_can_no_longer_be_written_and_HubSpots_own_cannot_be_archived()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();
        await api.PostJsonAsync("crm/v3/properties/deals", InvoiceStatus);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("crm/v3/properties/deals/qbo_invoice_status")).StatusCode);
        var write = await api.PatchJsonAsync("crm/v3/objects/deals/53001", """{"properties":{"qbo_invoice_status":"paid"}}""");
        Assert.Contains("PROPERTY_DOESNT_EXIST", await write.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
        await (await api.GetAsync("crm/v3/properties/deals/qbo_invoice_status")).AssertHubSpotErrorAsync(404, "OBJECT_NOT_FOUND");
        Assert.True((await api.GetJsonAsync("crm/v3/properties/deals/qbo_invoice_status?archived=true")).GetProperty("archived").GetBoolean());

        await (await api.DeleteAsync("crm/v3/properties/deals/dealname")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        await (await api.PatchJsonAsync("crm/v3/properties/deals/dealname", """{"label":"Name"}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Batches_of_properties_read_and_create()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var read = await api.PostJsonAsync("crm/v3/properties/line_items/batch/read", """{"archived":false,"inputs":[{"name":"amount"},{"name":"hs_product_id"},{"name":"nope"}]}""");
        Assert.Equal(HttpStatusCode.MultiStatus, read.StatusCode);
        var body = await read.JsonAsync();
        var amount = body.GetProperty("results").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "amount");
        Assert.True(amount.GetProperty("calculated").GetBoolean());
        Assert.True(amount.GetProperty("modificationMetadata").GetProperty("readOnlyValue").GetBoolean());
        Assert.Equal("nope", body.GetProperty("errors")[0].GetProperty("context").GetProperty("name")[0].GetString());

        var create = await api.PostJsonAsync("crm/v3/properties/contacts/batch/create", """
            {"inputs":[{"name":"qbo_customer_id","label":"QuickBooks customer","type":"string","fieldType":"text","groupName":"contactinformation","hasUniqueValue":true},
                       {"name":"email","label":"again","type":"string","fieldType":"text","groupName":"contactinformation"}]}
            """);
        Assert.Equal(HttpStatusCode.MultiStatus, create.StatusCode);
        Assert.Equal("CONFLICT", (await create.JsonAsync()).GetProperty("errors")[0].GetProperty("category").GetString());

        // A unique property identifies records, and refuses a second record with the same value.
        await api.PatchJsonAsync("crm/v3/objects/contacts/51001", """{"properties":{"qbo_customer_id":"QB-1"}}""");
        Assert.Equal("51001", (await api.GetJsonAsync("crm/v3/objects/contacts/QB-1?idProperty=qbo_customer_id")).GetProperty("id").GetString());
        await (await api.PatchJsonAsync("crm/v3/objects/contacts/51002", """{"properties":{"qbo_customer_id":"QB-1"}}""")).AssertHubSpotErrorAsync(409, "CONFLICT");
        await (await api.GetAsync("crm/v3/objects/contacts/x?idProperty=firstname")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
    }
}
