using System.Globalization;
using System.Net;
using System.Text.Json;

namespace OrleansSync.Tests.Sandbox;

/// <summary>Quotes: the demo's published, expired and draft quotes; publishing fills link and amount; expiring moves the date.</summary>
public sealed class HubSpotSandboxQuoteTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public async Task The_demo_has_a_published_quote_an_expired_one_and_a_draft()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();
        var today = Today(sandbox);
        const string properties = "properties=hs_title,hs_status,hs_expiration_date,hs_quote_amount,hs_quote_link&associations=deals,contacts,line_items";

        var published = await api.GetJsonAsync($"crm/v3/objects/quotes/56001?{properties}");
        Assert.Equal("APPROVAL_NOT_NEEDED", published.Property("hs_status"));
        Assert.Equal("9000.00", published.Property("hs_quote_amount"));
        Assert.StartsWith("https://", published.Property("hs_quote_link"));
        Assert.Equal(today.AddDays(30), DateOnly.Parse(published.Property("hs_expiration_date")!, CultureInfo.InvariantCulture));
        var associations = published.GetProperty("associations");
        Assert.Equal("53001", associations.GetProperty("deals").GetProperty("results")[0].GetProperty("id").GetString());
        Assert.Equal("51001", associations.GetProperty("contacts").GetProperty("results")[0].GetProperty("id").GetString());
        Assert.Equal(["55011", "55012"], associations.GetProperty("line items").GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()));

        var expired = await api.GetJsonAsync($"crm/v3/objects/quotes/56002?{properties}");
        Assert.Equal("APPROVAL_NOT_NEEDED", expired.Property("hs_status"));
        Assert.Equal(today.AddDays(-10), DateOnly.Parse(expired.Property("hs_expiration_date")!, CultureInfo.InvariantCulture));
        Assert.Equal("1200.00", expired.Property("hs_quote_amount"));

        var draft = await api.GetJsonAsync($"crm/v3/objects/quotes/56003?{properties}");
        Assert.Equal("DRAFT", draft.Property("hs_status"));
        Assert.Null(draft.Property("hs_quote_link"));
        Assert.Null(draft.Property("hs_quote_amount"));
    }

    [Fact]
    public async Task Publishing_a_quote_by_its_status_fills_in_its_link_and_the_sum_of_its_line_items()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var first = await (await api.PostJsonAsync("crm/v3/objects/line_items", """{"properties":{"hs_product_id":"54003","quantity":"10"}}""")).JsonAsync();
        var second = await (await api.PostJsonAsync("crm/v3/objects/line_items", """{"properties":{"name":"Setup","quantity":"1","price":"99.50"}}""")).JsonAsync();
        var quote = await (await api.PostJsonAsync("crm/v3/objects/quotes", $$"""
            {"properties":{"hs_title":"Widgets for COBOL Inc","hs_expiration_date":"2030-12-10","hs_status":"DRAFT"},
             "associations":[
               {"to":{"id":"53002"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":64}]},
               {"to":{"id":"{{first.GetProperty("id").GetString()}}"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":67}]},
               {"to":{"id":"{{second.GetProperty("id").GetString()}}"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":67}]}]}
            """)).JsonAsync();
        var id = quote.GetProperty("id").GetString();
        Assert.Null(quote.Property("hs_quote_link"));

        var published = await api.PatchJsonAsync($"crm/v3/objects/quotes/{id}", """{"properties":{"hs_status":"APPROVAL_NOT_NEEDED"}}""");
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        var read = await api.GetJsonAsync($"crm/v3/objects/quotes/{id}?properties=hs_quote_amount,hs_quote_link,hs_pdf_download_link");
        Assert.Equal("349.50", read.Property("hs_quote_amount"));
        Assert.StartsWith("https://", read.Property("hs_quote_link"));
        Assert.NotNull(read.Property("hs_pdf_download_link"));

        // The link and amount are HubSpot's to set.
        await (await api.PatchJsonAsync($"crm/v3/objects/quotes/{id}", """{"properties":{"hs_quote_amount":"1"}}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        await (await api.PatchJsonAsync($"crm/v3/objects/quotes/{id}", """{"properties":{"hs_status":"SENT"}}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task A_quote_needs_a_title_and_an_expiration_date()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var response = await api.PostJsonAsync("crm/v3/objects/quotes", """{"properties":{"hs_status":"DRAFT"}}""");
        var message = await response.AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        Assert.Contains("hs_title is required", message);
        Assert.Contains("hs_expiration_date is required", message);
    }

    [Fact]
    public async Task An_admin_publishes_the_draft_and_expires_a_quote_as_of_yesterday_on_the_sandbox_clock()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var publish = await sandbox.Anonymous.PostAsync("admin/quotes/56003/publish", null);
        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        var draft = await api.GetJsonAsync("crm/v3/objects/quotes/56003?properties=hs_status,hs_quote_amount");
        Assert.Equal("APPROVAL_NOT_NEEDED", draft.Property("hs_status"));
        Assert.Equal("6000.00", draft.Property("hs_quote_amount"));

        sandbox.Clock.Advance(TimeSpan.FromDays(5));
        Assert.Equal(HttpStatusCode.OK, (await sandbox.Anonymous.PostAsync("admin/quotes/56001/expire", null)).StatusCode);
        var expired = await sandbox.Anonymous.GetJsonAsync("admin/objects/quotes/56001");
        Assert.True(expired.GetProperty("expired").GetBoolean());
        var expiration = DateOnly.Parse(expired.GetProperty("record").Property("hs_expiration_date")!, CultureInfo.InvariantCulture);
        Assert.Equal(Today(sandbox).AddDays(-1), expiration);

        var missing = await sandbox.Anonymous.PostAsync("admin/quotes/59999/expire", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    private static DateOnly Today(HubSpotSandboxHost sandbox) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(sandbox.Clock.GetUtcNow(), NewYork).DateTime);
}
