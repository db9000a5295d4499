using System.Net;
using System.Text.Json;

namespace OrleansSync.Tests.Sandbox;

/// <summary>
/// CRM search over the demo deals (amounts 9000, 1200, 400, 999; 53003 in GBP) and contacts: operators, groups,
/// sorts, free text, paging and HubSpot's limits.
/// </summary>
public sealed class HubSpotSandboxSearchTests
{
    [Fact]
    public async Task Filters_compare_numbers_as_numbers_text_without_case_and_dates_as_instants()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync("--Sandbox:HubSpot:SearchRequestsPerSecond=1000");
        var api = await sandbox.ApiAsync();

        async Task<IReadOnlyList<string>> Deals(string filter) => await SearchIdsAsync(api, "deals", $$"""{"filterGroups":[{"filters":[{{filter}}]}]}""");

        Assert.Equal(["53001"], await Deals("""{"propertyName":"dealname","operator":"EQ","value":"analytical engines ROLLOUT"}"""));
        Assert.Equal(["53002", "53003", "53004"], await Deals("""{"propertyName":"dealname","operator":"NEQ","value":"Analytical Engines rollout"}"""));
        // As text "999" > "1200"; as numbers it is not.
        Assert.Equal(["53001", "53002"], await Deals("""{"propertyName":"amount","operator":"GT","value":"999"}"""));
        Assert.Equal(["53003", "53004"], await Deals("""{"propertyName":"amount","operator":"LTE","value":999}"""));
        Assert.Equal(["53002", "53004"], await Deals("""{"propertyName":"amount","operator":"BETWEEN","value":"999","highValue":"1200"}"""));
        Assert.Equal(["53001", "53002", "53004"], await Deals("""{"propertyName":"deal_currency_code","operator":"IN","values":["USD","EUR"]}"""));
        Assert.Equal(["53003"], await Deals("""{"propertyName":"deal_currency_code","operator":"NOT_IN","values":["USD"]}"""));
        Assert.Equal(["53001", "53002", "53003", "53004"], await Deals("""{"propertyName":"closedate","operator":"HAS_PROPERTY"}"""));
        Assert.Equal(["53001", "53002", "53003", "53004"], await Deals("""{"propertyName":"description","operator":"NOT_HAS_PROPERTY"}"""));
        Assert.Equal(["53003"], await Deals("""{"propertyName":"dealname","operator":"CONTAINS_TOKEN","value":"widgets"}"""));
        Assert.Equal(["53001", "53002", "53004"], await Deals("""{"propertyName":"dealname","operator":"NOT_CONTAINS_TOKEN","value":"widgets"}"""));
        Assert.Equal(["53002"], await Deals("""{"propertyName":"dealname","operator":"CONTAINS_TOKEN","value":"cob*"}"""));

        var now = sandbox.Clock.GetUtcNow();
        var beforeSeed = now.AddHours(-1).ToUnixTimeMilliseconds();
        Assert.Equal(4, (await Deals($$"""{"propertyName":"createdate","operator":"GTE","value":"{{beforeSeed}}"}""")).Count);
        Assert.Empty(await Deals($$"""{"propertyName":"hs_lastmodifieddate","operator":"GT","value":"{{now.AddDays(1):yyyy-MM-dd}}"}"""));

        await api.PatchJsonAsync("crm/v3/objects/deals/53004", """{"properties":{"description":"gold plated"}}""");
        Assert.Equal(["53004"], await Deals("""{"propertyName":"description","operator":"HAS_PROPERTY"}"""));
        Assert.Equal(["53004"], await Deals($$"""{"propertyName":"hs_lastmodifieddate","operator":"GTE","value":"{{now.ToUnixTimeMilliseconds()}}"}"""));

        // Groups are ORed, filters within a group ANDed.
        var either = await SearchIdsAsync(api, "deals", """
            {"filterGroups":[
              {"filters":[{"propertyName":"deal_currency_code","operator":"EQ","value":"GBP"}]},
              {"filters":[{"propertyName":"amount","operator":"GT","value":"1000"},{"propertyName":"dealname","operator":"CONTAINS_TOKEN","value":"support"}]}]}
            """);
        Assert.Equal(["53002", "53003"], either);

        Assert.Equal(["53001"], await Deals("""{"propertyName":"associations.contact","operator":"EQ","value":"51001"}"""));
    }

    [Fact]
    public async Task Results_are_sorted_paged_and_counted()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync("--Sandbox:HubSpot:SearchRequestsPerSecond=1000");
        var api = await sandbox.ApiAsync();

        var names = new List<string>();
        var after = "";
        for (var pages = 0; pages < 5; pages++)
        {
            var body = $$"""{"sorts":[{"propertyName":"firstname","direction":"DESCENDING"}],"properties":["firstname"],"limit":2{{(after.Length > 0 ? $",\"after\":\"{after}\"" : "")}}}""";
            var page = await (await api.PostJsonAsync("crm/v3/objects/contacts/search", body)).JsonAsync();
            Assert.Equal(5, page.GetProperty("total").GetInt32());
            names.AddRange(page.GetProperty("results").EnumerateArray().Select(r => r.Property("firstname")!));
            if (!page.TryGetProperty("paging", out var paging))
                break;
            after = paging.GetProperty("next").GetProperty("after").GetString()!;
        }

        Assert.Equal(["Tim", "Margaret", "Grace", "Alan", "Ada"], names);

        var byLastModified = await SearchIdsAsync(api, "contacts", """{"sorts":["-hs_object_id"],"limit":1}""");
        Assert.Equal(["51005"], byLastModified);
    }

    [Fact]
    public async Task The_free_text_query_matches_words_of_the_main_properties()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync("--Sandbox:HubSpot:SearchRequestsPerSecond=1000");
        var api = await sandbox.ApiAsync();

        Assert.Equal(["51001"], await SearchIdsAsync(api, "contacts", """{"query":"lovelace"}"""));
        Assert.Equal(["51001"], await SearchIdsAsync(api, "contacts", """{"query":"ada love"}"""));
        Assert.Equal(["51002"], await SearchIdsAsync(api, "contacts", """{"query":"cobol.example"}"""));
        Assert.Equal(["54003", "54005"], await SearchIdsAsync(api, "products", """{"query":"widget"}"""));
        Assert.Empty(await SearchIdsAsync(api, "contacts", """{"query":"babbage"}"""));
    }

    [Fact]
    public async Task HubSpots_search_limits_are_enforced()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync("--Sandbox:HubSpot:SearchRequestsPerSecond=1000", "--Sandbox:HubSpot:SearchFilterGroups=2");
        var api = await sandbox.ApiAsync();

        await (await api.PostJsonAsync("crm/v3/objects/deals/search", """{"limit":201}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        Assert.Equal(HttpStatusCode.OK, (await api.PostJsonAsync("crm/v3/objects/deals/search", """{"limit":200}""")).StatusCode);

        // "Attempting to page beyond 10,000 will result in a 400 error."
        await (await api.PostJsonAsync("crm/v3/objects/deals/search", """{"after":"10000"}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        var last = await (await api.PostJsonAsync("crm/v3/objects/deals/search", """{"after":"9999"}""")).JsonAsync();
        Assert.Equal(4, last.GetProperty("total").GetInt32());
        Assert.Empty(last.GetProperty("results").EnumerateArray());

        var group = """{"filters":[{"propertyName":"amount","operator":"HAS_PROPERTY"}]}""";
        Assert.Equal(HttpStatusCode.OK, (await api.PostJsonAsync("crm/v3/objects/deals/search", $$"""{"filterGroups":[{{group}},{{group}}]}""")).StatusCode);
        Assert.Contains("filter groups", await (await api.PostJsonAsync("crm/v3/objects/deals/search", $$"""{"filterGroups":[{{group}},{{group}},{{group}}]}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
        var elevenFilters = string.Join(",", Enumerable.Repeat("""{"propertyName":"amount","operator":"HAS_PROPERTY"}""", 11));
        Assert.Contains("per group", await (await api.PostJsonAsync("crm/v3/objects/deals/search", $$"""{"filterGroups":[{"filters":[{{elevenFilters}}]}]}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));

        var between = await api.PostJsonAsync("crm/v3/objects/deals/search", """{"filterGroups":[{"filters":[{"propertyName":"amount","operator":"BETWEEN","value":"1"}]}]}""");
        Assert.Contains("operator BETWEEN requires", await between.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
        var unknown = await api.PostJsonAsync("crm/v3/objects/deals/search", """{"filterGroups":[{"filters":[{"propertyName":"amount","operator":"ABOUT","value":"1"}]}]}""");
        await unknown.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task The_default_filter_limits_are_five_groups_ten_per_group_and_twenty_five_in_all()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync("--Sandbox:HubSpot:SearchRequestsPerSecond=1000");
        var api = await sandbox.ApiAsync();

        string Groups(int groups, int filters) => $$"""{"filterGroups":[{{string.Join(",", Enumerable.Repeat($$"""{"filters":[{{string.Join(",", Enumerable.Repeat("""{"propertyName":"amount","operator":"HAS_PROPERTY"}""", filters))}}]}""", groups))}}]}""";
        Assert.Equal(HttpStatusCode.OK, (await api.PostJsonAsync("crm/v3/objects/deals/search", Groups(5, 5))).StatusCode);
        await (await api.PostJsonAsync("crm/v3/objects/deals/search", Groups(6, 1))).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        await (await api.PostJsonAsync("crm/v3/objects/deals/search", Groups(3, 9))).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
    }

    private static async Task<IReadOnlyList<string>> SearchIdsAsync(HttpClient api, string type, string body)
    {
        var response = await api.PostJsonAsync($"crm/v3/objects/{type}/search", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var page = JsonDocument.Parse(text).RootElement;
        return [.. page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];
    }
}
