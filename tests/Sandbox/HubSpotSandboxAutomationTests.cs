using System.Net;

namespace OrleansSync.Tests.Sandbox;

/// <summary>Workflow action callbacks: what an app sends to finish an execution it answered with BLOCK, and what the admin shows of it.</summary>
public sealed class HubSpotSandboxAutomationTests
{
    [Fact]
    public async Task A_completed_callback_is_answered_204_and_listed_by_the_admin()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        var completed = await api.PostJsonAsync("automation/v4/actions/callbacks/ap-7262481-1001-1-0/complete", """{"outputFields":{"hs_execution_state":"SUCCESS","invoiceId":"130","amount":12.5}}""");
        Assert.Equal(HttpStatusCode.NoContent, completed.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostJsonAsync("automation/v4/actions/callbacks/ap-7262481-1002-1-0/complete", """{"outputFields":{"hs_execution_state":"FAIL_CONTINUE","errorMessage":"no"}}""")).StatusCode);

        var all = (await sandbox.Anonymous.GetJsonAsync("admin/workflow-callbacks")).EnumerateArray().ToList();
        Assert.Equal(["ap-7262481-1001-1-0", "ap-7262481-1002-1-0"], all.Select(c => c.GetProperty("callbackId").GetString()));
        var one = Assert.Single((await sandbox.Anonymous.GetJsonAsync("admin/workflow-callbacks?callbackId=ap-7262481-1001-1-0")).EnumerateArray());
        Assert.Equal("SUCCESS", one.GetProperty("executionState").GetString());
        Assert.Equal("12.5", one.GetProperty("outputFields").GetProperty("amount").GetString());
    }

    [Fact]
    public async Task A_completion_without_an_execution_state_or_a_token_is_refused_and_not_recorded()
    {
        await using var sandbox = await HubSpotSandboxHost.StartAsync();
        var api = await sandbox.ApiAsync();

        await (await api.PostJsonAsync("automation/v4/actions/callbacks/ap-1/complete", """{"outputFields":{"invoiceId":"130"}}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        await (await api.PostJsonAsync("automation/v4/actions/callbacks/ap-1/complete", """{"outputFields":{"hs_execution_state":"BLOCK"}}""")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        await (await api.PostJsonAsync("automation/v4/actions/callbacks/ap-1/complete", "{}")).AssertHubSpotErrorAsync(400, "VALIDATION_ERROR");
        await (await sandbox.Anonymous.PostJsonAsync("automation/v4/actions/callbacks/ap-1/complete", """{"outputFields":{"hs_execution_state":"SUCCESS"}}""")).AssertHubSpotErrorAsync(401, "INVALID_AUTHENTICATION");

        Assert.Empty((await sandbox.Anonymous.GetJsonAsync("admin/workflow-callbacks")).EnumerateArray());
    }
}
