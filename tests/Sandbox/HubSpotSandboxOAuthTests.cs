using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Tests.Sandbox;

/// <summary>The HubSpot sandbox's OAuth: codes, tokens that expire after 30 minutes, refresh tokens that never rotate, and 401s.</summary>
public sealed class HubSpotSandboxOAuthTests
{
    private const string RedirectUri = "https://app.example/oauth/hubspot/callback";

    [Fact]
    public async Task Authorize_redirects_with_a_code_that_buys_tokens_only_once()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var browser = sandbox.Client(followRedirects: false);

        var code = await AuthorizeAsync(browser, "state-123");
        var first = await TokenAsync(sandbox.Anonymous, new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = RedirectUri });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var tokens = await first.JsonAsync();
        Assert.Equal(1800, tokens.GetProperty("expires_in").GetInt32());
        Assert.Equal("bearer", tokens.GetProperty("token_type").GetString());
        Assert.Equal(DemoData.PortalId, tokens.GetProperty("hub_id").GetInt64());

        var api = sandbox.WithToken(tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("crm/v3/objects/contacts/51001")).StatusCode);

        var again = await TokenAsync(sandbox.Anonymous, new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = RedirectUri });
        await AssertTokenErrorAsync(again, "BAD_AUTH_CODE");
    }

    [Fact]
    public async Task The_refresh_token_is_not_rotated_and_keeps_working()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var code = await AuthorizeAsync(sandbox.Client(followRedirects: false), null);
        var issued = await (await TokenAsync(sandbox.Anonymous, new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = RedirectUri })).JsonAsync();
        var refreshToken = issued.GetProperty("refresh_token").GetString()!;

        var accessTokens = new List<string> { issued.GetProperty("access_token").GetString()! };
        for (var i = 0; i < 2; i++)
        {
            var refreshed = await (await TokenAsync(sandbox.Anonymous, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken })).JsonAsync();
            Assert.Equal(refreshToken, refreshed.GetProperty("refresh_token").GetString());
            accessTokens.Add(refreshed.GetProperty("access_token").GetString()!);
        }

        Assert.Equal(3, accessTokens.Distinct().Count());
        foreach (var token in accessTokens)
            Assert.Equal(HttpStatusCode.OK, (await sandbox.WithToken(token).GetAsync("crm/v3/objects/deals")).StatusCode);
    }

    [Fact]
    public async Task The_token_endpoint_answers_bad_requests_with_HubSpots_statuses()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var code = await AuthorizeAsync(sandbox.Client(followRedirects: false), null);

        await AssertTokenErrorAsync(await TokenAsync(sandbox.Anonymous, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = "na1-nope" }), "BAD_REFRESH_TOKEN", "missing or invalid refresh token");
        await AssertTokenErrorAsync(await TokenAsync(sandbox.Anonymous, new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = "https://elsewhere.example/cb" }), "BAD_REDIRECT_URI");
        await AssertTokenErrorAsync(await TokenAsync(sandbox.Anonymous, new() { ["grant_type"] = "password" }), "BAD_GRANT_TYPE");
        await AssertTokenErrorAsync(await TokenAsync(sandbox.Anonymous, new() { ["grant_type"] = "refresh_token", ["client_secret"] = "wrong" }), "BAD_CLIENT_SECRET");
        await AssertTokenErrorAsync(await TokenAsync(sandbox.Anonymous, new() { ["grant_type"] = "refresh_token", ["client_id"] = "someone-else" }), "BAD_CLIENT_ID");

        var json = await sandbox.Anonymous.PostJsonAsync("oauth/v1/token", """{"grant_type":"refresh_token"}""");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);

        // The code survived the refused attempt with the wrong redirect URI, and works with the right one.
        var tokens = await TokenAsync(sandbox.Anonymous, new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = RedirectUri });
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
    }

    [Fact]
    public async Task Authorize_refuses_an_unknown_client_and_installs_into_the_named_portal()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var browser = sandbox.Client(followRedirects: false);

        var unknown = await browser.GetAsync($"oauth/authorize?client_id=nobody&redirect_uri={Uri.EscapeDataString(RedirectUri)}&scope=oauth");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);

        var redirect = await browser.GetAsync($"oauth/authorize?client_id={HubSpotSandboxHost.ClientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}&scope=oauth%20crm.objects.deals.read&portalId=424242");
        var code = QueryHelpers.ParseQuery(redirect.Headers.Location!.Query)["code"].ToString();
        var tokens = await (await TokenAsync(sandbox.Anonymous, new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = RedirectUri })).JsonAsync();
        Assert.Equal(424242, tokens.GetProperty("hub_id").GetInt64());

        // A new portal has HubSpot's properties but none of the demo records.
        var api = sandbox.WithToken(tokens.GetProperty("access_token").GetString()!);
        Assert.Empty((await api.GetJsonAsync("crm/v3/objects/contacts")).GetProperty("results").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("crm/v3/objects/contacts/51001")).StatusCode);
        Assert.Equal(424242, (await api.GetJsonAsync("account-info/v3/details")).GetProperty("portalId").GetInt64());
    }

    [Fact]
    public async Task A_missing_or_unknown_token_gets_HubSpots_invalid_authentication_401()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();

        foreach (var client in new[] { sandbox.Anonymous, sandbox.WithToken("CJSP5qf1KhICAQEYs-not-a-token") })
        {
            var response = await client.GetAsync("crm/v3/objects/deals/53001");
            var message = await response.AssertHubSpotErrorAsync(401, "INVALID_AUTHENTICATION");
            Assert.Equal("Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview", message);
        }
    }

    [Fact]
    public async Task An_access_token_expires_thirty_minutes_after_issue_on_the_sandbox_clock()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var token = await sandbox.TokenAsync();
        var api = sandbox.WithToken(token);

        sandbox.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("crm/v3/objects/deals/53001")).StatusCode);
        var info = await sandbox.Anonymous.GetJsonAsync($"oauth/v1/access-tokens/{token}");
        Assert.InRange(info.GetProperty("expires_in").GetInt32(), 1, 60);
        Assert.Equal(DemoData.PortalId, info.GetProperty("hub_id").GetInt64());

        sandbox.Clock.Advance(TimeSpan.FromMinutes(3.5));
        var expired = await api.GetAsync("crm/v3/objects/deals/53001");
        var message = await expired.AssertHubSpotErrorAsync(401, "EXPIRED_AUTHENTICATION");
        Assert.Equal("The OAuth token used to make this call expired 2 minute(s) ago.", message);
        Assert.Equal(HttpStatusCode.NotFound, (await sandbox.Anonymous.GetAsync($"oauth/v1/access-tokens/{token}")).StatusCode);
    }

    [Fact]
    public async Task A_token_sees_only_its_own_portal()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var demo = await sandbox.ApiAsync();
        var other = await sandbox.ApiAsync(portalId: 555);

        var created = await (await other.PostJsonAsync("crm/v3/objects/contacts", """{"properties":{"email":"ada@analytical.example"}}""")).JsonAsync();
        Assert.Equal("51100", created.GetProperty("id").GetString());

        // Same email, other portal: no conflict; and the demo portal's 51100 does not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await demo.GetAsync("crm/v3/objects/contacts/51100")).StatusCode);
        Assert.Equal("Ada", (await demo.GetJsonAsync("crm/v3/objects/contacts/51001")).Property("firstname"));
    }

    private static async Task<string> AuthorizeAsync(HttpClient browser, string? state)
    {
        var url = $"oauth/authorize?client_id={HubSpotSandboxHost.ClientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}&scope=oauth%20crm.objects.deals.read";
        if (state is not null)
            url += $"&state={state}";
        var response = await browser.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(RedirectUri + "?", location.ToString());
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(state ?? "", query.TryGetValue("state", out var returned) ? returned.ToString() : "");
        return query["code"].ToString();
    }

    private static Task<HttpResponseMessage> TokenAsync(HttpClient http, Dictionary<string, string> form)
    {
        form.TryAdd("client_id", HubSpotSandboxHost.ClientId);
        form.TryAdd("client_secret", HubSpotSandboxHost.ClientSecret);
        var content = new FormUrlEncodedContent(form);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return http.PostAsync("oauth/v1/token", content);
    }

    private static async Task AssertTokenErrorAsync(HttpResponseMessage response, string status, string? message = null)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(status, body.GetProperty("status").GetString());
        Assert.True(body.TryGetProperty("correlationId", out _));
        if (message is not null)
            Assert.Equal(message, body.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.String, body.GetProperty("message").ValueKind);
    }
}
