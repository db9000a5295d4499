using System.Net;
using System.Text.Json;

namespace OrleansSync.Tests.Sandbox;

/// <summary>Trouble on purpose: server errors on API calls (never on OAuth or admin), set by configuration or at run time.</summary>
public sealed class HubSpotSandboxFaultTests
{
    [Fact]
    public async Task With_every_request_failing_API_calls_get_server_errors_while_OAuth_and_admin_still_work()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync("--Sandbox:HubSpot:Faults:ServerErrorRate=1");
        var api = await sandbox.ApiAsync();

        var statuses = new HashSet<int>();
        for (var i = 0; i < 20; i++)
        {
            var response = await api.GetAsync("crm/v3/objects/deals/53001");
            statuses.Add((int)response.StatusCode);
            var body = await response.JsonAsync();
            Assert.Equal("error", body.GetProperty("status").GetString());
            Assert.Equal("INTERNAL_ERROR", body.GetProperty("category").GetString());
            if (response.StatusCode == HttpStatusCode.InternalServerError)
                Assert.Equal("internal error", body.GetProperty("message").GetString());
        }

        Assert.Subset(new HashSet<int> { 500, 502, 503 }, statuses);
        Assert.Contains(500, statuses);

        var current = await sandbox.Anonymous.GetJsonAsync("admin/faults");
        Assert.Equal(1, current.GetProperty("serverErrorRate").GetDouble());
        Assert.Equal(HttpStatusCode.OK, (await sandbox.Anonymous.PutJsonAsync("admin/faults", """{"serverErrorRate":0}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("crm/v3/objects/deals/53001")).StatusCode);
    }

    [Fact]
    public async Task Faults_set_at_run_time_apply_at_once_and_bad_settings_are_refused()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("crm/v3/objects/contacts")).StatusCode);

        var bad = await sandbox.Anonymous.PutJsonAsync("admin/faults", """{"serverErrorRate":2}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Contains("serverErrorRate", (await bad.JsonAsync()).GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.OK, (await sandbox.Anonymous.PutJsonAsync("admin/faults", """{"serverErrorRate":1,"latencyMilliseconds":50}""")).StatusCode);
        var failed = await api.GetAsync("crm/v3/objects/contacts");
        Assert.True((int)failed.StatusCode >= 500, $"{failed.StatusCode}");
        Assert.Equal(HttpStatusCode.OK, (await sandbox.Anonymous.PostAsync("admin/portals/7262481/tokens", null)).StatusCode);
        Assert.Equal(JsonValueKind.Object, (await sandbox.Anonymous.GetJsonAsync("admin/objects/deals/53001")).ValueKind);
    }
}
