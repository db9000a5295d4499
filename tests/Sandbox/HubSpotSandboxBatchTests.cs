using System.Net;
using System.Text.Json;

namespace OrleansSync.Tests.Sandbox;

/// <summary>The CRM objects API v3 in batches: at most 100 inputs, 207 for missing ids, all-or-nothing on bad values.</summary>
public sealed class HubSpotSandboxBatchTests
{
    [Fact]
    public async Task A_batch_of_more_than_100_inputs_is_refused()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var create = Inputs(101, i => $$$"""{"properties":{"name":"Product {{{i}}}"}}""");
        Assert.Contains("100", await (await api.PostJsonAsync("crm/v3/objects/products/batch/create", create)).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
        var read = Inputs(101, i => $$"""{"id":"{{54001 + i}}"}""");
        await (await api.PostJsonAsync("crm/v3/objects/products/batch/read", read)).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        await (await api.PostJsonAsync("crm/v3/objects/products/batch/archive", read)).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        Assert.Equal(5, (await api.GetJsonAsync("crm/v3/objects/products")).GetProperty("results").GetArrayLength());

        var hundred = await api.PostJsonAsync("crm/v3/objects/products/batch/create", Inputs(100, i => $$$"""{"properties":{"name":"Product {{{i}}}","price":"{{{i}}}"}}"""));
        Assert.Equal(HttpStatusCode.Created, hundred.StatusCode);
        var body = await hundred.JsonAsync();
        Assert.Equal("COMPLETE", body.GetProperty("status").GetString());
        Assert.Equal(100, body.GetProperty("results").GetArrayLength());
        Assert.True(body.TryGetProperty("startedAt", out _) && body.TryGetProperty("completedAt", out _));
    }

    [Fact]
    public async Task A_batch_read_answers_207_naming_the_ids_it_could_not_find()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var response = await api.PostJsonAsync("crm/v3/objects/deals/batch/read", """{"properties":["dealname","deal_currency_code"],"inputs":[{"id":"53001"},{"id":"99999"},{"id":"53003"}]}""");
        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(1, body.GetProperty("numErrors").GetInt32());
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal("OBJECT_NOT_FOUND", error.GetProperty("category").GetString());
        Assert.Equal(["99999"], error.GetProperty("context").GetProperty("ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(["53001", "53003"], body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal("GBP", body.GetProperty("results")[1].Property("deal_currency_code"));

        var all = await api.PostJsonAsync("crm/v3/objects/contacts/batch/read", """{"idProperty":"email","inputs":[{"id":"alan@bletchley.example"}]}""");
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal("51003", (await all.JsonAsync()).GetProperty("results")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_batch_create_with_one_bad_value_creates_nothing()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var response = await api.PostJsonAsync("crm/v3/objects/contacts/batch/create", """
            {"inputs":[{"properties":{"email":"one@example.com"}},{"properties":{"email":"two@example.com","shoe_size":"44"}}]}
            """);
        Assert.Contains("shoe_size", await response.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
        Assert.Equal(5, (await api.GetJsonAsync("crm/v3/objects/contacts")).GetProperty("results").GetArrayLength());

        var duplicate = await api.PostJsonAsync("crm/v3/objects/contacts/batch/create", """
            {"inputs":[{"properties":{"email":"one@example.com"}},{"properties":{"email":"ONE@example.com"}}]}
            """);
        await duplicate.AssertHubSpotErrorAsync(409, "CONFLICT");
    }

    [Fact]
    public async Task A_batch_update_changes_the_records_it_finds_and_reports_the_others()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var response = await api.PostJsonAsync("crm/v3/objects/deals/batch/update", """
            {"inputs":[{"id":"53001","properties":{"dealstage":"closedwon"}},{"id":"123","properties":{"dealstage":"closedwon"}}]}
            """);
        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("closedwon", body.GetProperty("results")[0].Property("dealstage"));
        Assert.Equal("OBJECT_NOT_FOUND", body.GetProperty("errors")[0].GetProperty("category").GetString());
        Assert.Equal("closedwon", (await api.GetJsonAsync("crm/v3/objects/deals/53001")).Property("dealstage"));

        var badValue = await api.PostJsonAsync("crm/v3/objects/deals/batch/update", """
            {"inputs":[{"id":"53002","properties":{"dealstage":"closedwon"}},{"id":"53003","properties":{"amount":"many"}}]}
            """);
        await badValue.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        Assert.Equal("contractsent", (await api.GetJsonAsync("crm/v3/objects/deals/53002")).Property("dealstage"));

        var twice = await api.PostJsonAsync("crm/v3/objects/deals/batch/update", """{"inputs":[{"id":"53002","properties":{}},{"id":"53002","properties":{}}]}""");
        Assert.Contains("Duplicate IDs", await twice.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR"));
    }

    [Fact]
    public async Task A_batch_archive_answers_204_even_for_unknown_ids()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var response = await api.PostJsonAsync("crm/v3/objects/line_items/batch/archive", """{"inputs":[{"id":"55005"},{"id":"1"}]}""");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("crm/v3/objects/line_items/55005")).StatusCode);

        // An archived line item no longer shows among the deal's associations.
        var deal = await api.GetJsonAsync("crm/v3/objects/deals/53004?associations=line_items");
        Assert.False(deal.TryGetProperty("associations", out var associations) && associations.TryGetProperty("line items", out _));
    }

    private static string Inputs(int count, Func<int, string> input)
        => $$"""{"inputs":[{{string.Join(",", Enumerable.Range(0, count).Select(input))}}]}""";
}
