using System.Net;
using System.Net.Http.Headers;

namespace OrleansSync.Tests.Sandbox;

/// <summary>HubSpot's limits per portal, lowered through configuration: the 10-second window, search per second, the daily quota.</summary>
public sealed class HubSpotSandboxRateLimitTests
{
    [Fact]
    public async Task Past_the_ten_second_limit_the_answer_is_HubSpots_429_with_its_headers()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync("--Sandbox:HubSpot:RequestsPerTenSeconds=5");
        var api = await sandbox.ApiAsync();

        for (var i = 0; i < 5; i++)
        {
            var response = await api.GetAsync("crm/v3/objects/deals/53001");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("10000", Header(response.Headers, "X-HubSpot-RateLimit-Interval-Milliseconds"));
            Assert.Equal("5", Header(response.Headers, "X-HubSpot-RateLimit-Max"));
            Assert.Equal((4 - i).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response.Headers, "X-HubSpot-RateLimit-Remaining"));
        }

        var refused = await api.GetAsync("crm/v3/objects/deals/53001");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("0", Header(refused.Headers, "X-HubSpot-RateLimit-Remaining"));
        var body = await refused.JsonAsync();
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Equal("You have reached your ten_secondly_rolling limit.", body.GetProperty("message").GetString());
        Assert.Equal("RATE_LIMIT", body.GetProperty("errorType").GetString());
        Assert.Equal("TEN_SECONDLY_ROLLING", body.GetProperty("policyName").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("correlationId").GetString(), out _));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("requestId").GetString()));

        // Each portal has its own window; OAuth and admin calls count against none.
        var other = await sandbox.ApiAsync(portalId: 777);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("crm/v3/objects/deals")).StatusCode);
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.OK, (await sandbox.Anonymous.PostAsync("admin/portals/7262481/tokens", null)).StatusCode);
    }

    [Fact]
    public async Task Search_has_its_own_per_second_limit_and_no_headers()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync("--Sandbox:HubSpot:SearchRequestsPerSecond=2", "--Sandbox:HubSpot:RequestsPerTenSeconds=1000");
        var api = await sandbox.ApiAsync();

        for (var i = 0; i < 2; i++)
        {
            var ok = await api.PostJsonAsync("crm/v3/objects/contacts/search", "{}");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.False(ok.Headers.Contains("X-HubSpot-RateLimit-Remaining"));
        }

        var refused = await api.PostJsonAsync("crm/v3/objects/contacts/search", "{}");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var body = await refused.JsonAsync();
        Assert.Equal("You have reached your secondly limit.", body.GetProperty("message").GetString());
        Assert.Equal("SECONDLY", body.GetProperty("policyName").GetString());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("crm/v3/objects/contacts")).StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(1.1));
        Assert.Equal(HttpStatusCode.OK, (await api.PostJsonAsync("crm/v3/objects/contacts/search", "{}")).StatusCode);
    }

    [Fact]
    public async Task The_daily_quota_runs_out_and_resets_at_midnight_in_the_account_time_zone()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync("--Sandbox:HubSpot:DailyLimit=3");
        var api = await sandbox.ApiAsync();

        for (var i = 0; i < 3; i++)
        {
            var response = await api.GetAsync("crm/v3/objects/deals");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("3", Header(response.Headers, "X-HubSpot-RateLimit-Daily"));
            Assert.Equal((2 - i).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(response.Headers, "X-HubSpot-RateLimit-Daily-Remaining"));
        }

        var refused = await api.PostJsonAsync("crm/v3/objects/deals/search", "{}");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var body = await refused.JsonAsync();
        Assert.Equal("You have reached your daily limit.", body.GetProperty("message").GetString());
        Assert.Equal("DAILY", body.GetProperty("policyName").GetString());

        // The next day (the token is refreshed; it would have expired).
        sandbox.Clock.Advance(TimeSpan.FromDays(1));
        var tomorrow = await sandbox.ApiAsync();
        Assert.Equal(HttpStatusCode.OK, (await tomorrow.GetAsync("crm/v3/objects/deals")).StatusCode);
    }

    private static string? Header(HttpResponseHeaders headers, string name) => headers.TryGetValues(name, out var values) ? values.Single() : null;

    [Fact]
    public async Task A_limit_of_zero_stops_the_start_with_a_clear_message()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => HubSpotSandboxHost.StartAsync("--Sandbox:HubSpot:RequestsPerTenSeconds=0"));
        Assert.Contains("Sandbox:HubSpot rate limits", error.Message);
    }
}
