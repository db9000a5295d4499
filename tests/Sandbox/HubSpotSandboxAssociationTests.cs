using System.Net;
using System.Text.Json;

namespace OrleansSync.Tests.Sandbox;

/// <summary>The associations API v4 with HubSpot's own type ids, and associations in v3 reads.</summary>
public sealed class HubSpotSandboxAssociationTests
{
    [Fact]
    public async Task A_default_association_exists_both_ways_until_it_is_removed()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var put = await api.PutAsync("crm/v4/objects/deals/53002/associations/default/companies/52002", null);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var specs = (await put.JsonAsync()).GetProperty("results").EnumerateArray()
            .Select(r => (r.GetProperty("from").GetProperty("id").GetString(), r.GetProperty("associationSpec").GetProperty("associationTypeId").GetInt32())).ToList();
        Assert.Equal([("53002", 341), ("52002", 342)], specs);

        var fromCompany = await api.GetJsonAsync("crm/v4/objects/companies/52002/associations/deals");
        var deal = Assert.Single(fromCompany.GetProperty("results").EnumerateArray());
        Assert.Equal(53002, deal.GetProperty("toObjectId").GetInt64());
        var type = Assert.Single(deal.GetProperty("associationTypes").EnumerateArray());
        Assert.Equal(342, type.GetProperty("typeId").GetInt32());
        Assert.Equal("HUBSPOT_DEFINED", type.GetProperty("category").GetString());
        Assert.Equal(JsonValueKind.Null, type.GetProperty("label").ValueKind);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("crm/v4/objects/companies/52002/associations/deals/53002")).StatusCode);
        Assert.Empty((await api.GetJsonAsync("crm/v4/objects/deals/53002/associations/companies")).GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task A_primary_label_comes_with_the_unlabeled_association()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var put = await api.PutJsonAsync("crm/v4/objects/deals/53003/associations/companies/52003", """[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":5}]""");
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var pair = await put.JsonAsync();
        Assert.Equal("0-3", pair.GetProperty("fromObjectTypeId").GetString());
        Assert.Equal(["Primary"], pair.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));

        var types = (await api.GetJsonAsync("crm/v4/objects/deals/53003/associations/companies")).GetProperty("results")[0].GetProperty("associationTypes")
            .EnumerateArray().Select(t => (t.GetProperty("typeId").GetInt32(), t.GetProperty("label").GetString())).ToList();
        Assert.Equal([(5, "Primary"), (341, null)], types);

        var read = await api.GetJsonAsync("crm/v3/objects/deals/53003?associations=companies");
        var v3 = read.GetProperty("associations").GetProperty("companies").GetProperty("results").EnumerateArray().Select(r => r.GetProperty("type").GetString()).ToList();
        Assert.Equal(["deal_to_company", "deal_to_company_unlabeled"], v3);

        var labels = await api.GetJsonAsync("crm/v4/associations/deals/companies/labels");
        Assert.Equal([(341, null), (5, "Primary")], labels.GetProperty("results").EnumerateArray().Select(t => (t.GetProperty("typeId").GetInt32(), t.GetProperty("label").GetString())).OrderByDescending(t => t.Item1));
    }

    [Fact]
    public async Task A_v3_read_embeds_line_items_under_the_key_with_a_space()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var deal = await api.GetJsonAsync("crm/v3/objects/deals/53001?associations=line_items,contacts,quotes");
        var associations = deal.GetProperty("associations");
        Assert.Equal(["55001", "55002"], associations.GetProperty("line items").GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal("deal_to_line_item", associations.GetProperty("line items").GetProperty("results")[0].GetProperty("type").GetString());
        Assert.Equal("51001", associations.GetProperty("contacts").GetProperty("results")[0].GetProperty("id").GetString());
        Assert.Equal(["56001", "56003"], associations.GetProperty("quotes").GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Associating_with_a_record_that_does_not_exist_is_refused()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var missing = await api.PutAsync("crm/v4/objects/deals/53001/associations/default/contacts/59999", null);
        Assert.Contains("59999", await missing.AssertHubSpotErrorAsync(404, "OBJECT_NOT_FOUND"));

        var wrongType = await api.PutJsonAsync("crm/v4/objects/deals/53001/associations/contacts/51002", """[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":19}]""");
        await wrongType.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        var noSuchPair = await api.PutAsync("crm/v4/objects/products/54001/associations/default/deals/53001", null);
        await noSuchPair.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");

        var create = await api.PostJsonAsync("crm/v3/objects/deals", """
            {"properties":{"dealname":"x","dealstage":"qualifiedtobuy"},"associations":[{"to":{"id":"59999"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":3}]}]}
            """);
        await create.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("crm/v3/objects/deals/53100")).StatusCode);
    }

    [Fact]
    public async Task A_deal_created_with_associations_is_associated_at_once()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var created = await (await api.PostJsonAsync("crm/v3/objects/deals", """
            {"properties":{"dealname":"Web rollout","dealstage":"qualifiedtobuy","pipeline":"default"},
             "associations":[{"to":{"id":51005},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":3}]},
                             {"to":{"id":"52005"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":5}]}]}
            """)).JsonAsync();
        var id = created.GetProperty("id").GetString();

        var contacts = await api.GetJsonAsync($"crm/v4/objects/deals/{id}/associations/contacts");
        Assert.Equal(51005, contacts.GetProperty("results")[0].GetProperty("toObjectId").GetInt64());
        var fromContact = await api.GetJsonAsync("crm/v4/objects/contacts/51005/associations/deals");
        Assert.Equal(4, fromContact.GetProperty("results")[0].GetProperty("associationTypes")[0].GetProperty("typeId").GetInt32());
        var companies = await api.GetJsonAsync($"crm/v4/objects/deals/{id}/associations/0-2");
        Assert.Equal(2, companies.GetProperty("results")[0].GetProperty("associationTypes").GetArrayLength());
    }

    [Fact]
    public async Task Batches_associate_read_and_archive()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var create = await api.PostJsonAsync("crm/v4/associations/deals/contacts/batch/create", """
            {"inputs":[{"from":{"id":"53002"},"to":{"id":"51005"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":3}]},
                       {"from":{"id":"53002"},"to":{"id":"59999"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":3}]}]}
            """);
        Assert.Equal(HttpStatusCode.MultiStatus, create.StatusCode);
        Assert.Equal(1, (await create.JsonAsync()).GetProperty("numErrors").GetInt32());

        var defaults = await api.PostJsonAsync("crm/v4/associations/deals/companies/batch/associate/default", """{"inputs":[{"from":{"id":"53004"},"to":{"id":"52004"}}]}""");
        Assert.Equal(HttpStatusCode.OK, defaults.StatusCode);

        var read = await api.PostJsonAsync("crm/v4/associations/deals/contacts/batch/read", """{"inputs":[{"id":"53002"},{"id":"53100"}]}""");
        Assert.Equal(HttpStatusCode.MultiStatus, read.StatusCode);
        var body = await read.JsonAsync();
        var found = Assert.Single(body.GetProperty("results").EnumerateArray());
        Assert.Equal("53002", found.GetProperty("from").GetProperty("id").GetString());
        Assert.Equal([51002L, 51005L], found.GetProperty("to").EnumerateArray().Select(t => t.GetProperty("toObjectId").GetInt64()));
        Assert.Equal("OBJECT_NOT_FOUND", body.GetProperty("errors")[0].GetProperty("category").GetString());

        var archive = await api.PostJsonAsync("crm/v4/associations/deals/contacts/batch/archive", """{"inputs":[{"from":{"id":"53002"},"to":[{"id":"51005"}]}]}""");
        Assert.Equal(HttpStatusCode.NoContent, archive.StatusCode);
        Assert.Equal([51002L], (await api.GetJsonAsync("crm/v4/objects/deals/53002/associations/contacts")).GetProperty("results").EnumerateArray().Select(t => t.GetProperty("toObjectId").GetInt64()));

        var labels = await api.PostJsonAsync("crm/v4/associations/contacts/companies/batch/labels/archive", """
            {"inputs":[{"from":{"id":"51001"},"to":{"id":"52001"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]}]}
            """);
        Assert.Equal(HttpStatusCode.NoContent, labels.StatusCode);
        var left = (await api.GetJsonAsync("crm/v4/objects/contacts/51001/associations/companies")).GetProperty("results")[0].GetProperty("associationTypes");
        Assert.Equal([279], left.EnumerateArray().Select(t => t.GetProperty("typeId").GetInt32()));

        var tooMany = $$"""{"inputs":[{{string.Join(",", Enumerable.Repeat("""{"id":"53001"}""", 1001))}}]}""";
        await (await api.PostJsonAsync("crm/v4/associations/deals/contacts/batch/read", tooMany)).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
    }
}
