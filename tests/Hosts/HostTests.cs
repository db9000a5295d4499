using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSync.Api.Security;
using OrleansSync.Sandbox.Common;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Hosts;

/// <summary>The real hosts, as a user runs them: the silo's single-process default, and silo plus api over PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HostTests
{
    private const string AdminKey = "test-admin-key-0123456789";

    [Fact]
    public async Task The_single_process_default_is_healthy_and_its_operator_api_needs_a_key()
    {
        await using var silo = await StartAsync(Silo.Program.CreateApp, []);
        using var http = new HttpClient { BaseAddress = silo.Address };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);

        var anonymous = await http.GetAsync("/api/cluster/silos");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);

        // Without configured keys, the default makes one up for the run (and logs it).
        var generated = silo.App.Services.GetRequiredService<IOptions<ApiOptions>>().Value.AdminKeys.Single();
        Assert.StartsWith("dev-", generated);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", generated);
        var silos = await http.GetFromJsonAsync<JsonElement>("/api/cluster/silos");
        var only = Assert.Single(silos.EnumerateArray());
        Assert.Equal("Active", only.GetProperty("status").GetString());
        Assert.Equal(256, only.GetProperty("partitionsOwned").GetInt32());
        Assert.Equal(silo.Address, new Uri(only.GetProperty("address").GetString()!));

        // The demo tenant installs itself through the mounted sandbox, both demo companies connected.
        await Eventually.HoldsAsync(async () =>
        {
            var tenants = await http.GetFromJsonAsync<JsonElement>("/api/tenants");
            return tenants.GetArrayLength() == 1
                && tenants[0].GetProperty("portalId").GetInt64() == DemoData.PortalId
                && tenants[0].GetProperty("accounts").EnumerateArray().Count(a => a.GetProperty("connection").GetProperty("state").GetString() == "Connected") == 2;
        }, TimeSpan.FromSeconds(20), "the demo tenant is installed with both companies connected");
    }

    [Fact]
    public async Task The_single_process_default_brings_the_sandbox_and_a_cluster_on_PostgreSQL_does_not()
    {
        await using (var silo = await StartAsync(Silo.Program.CreateApp, []))
        {
            using var http = new HttpClient { BaseAddress = silo.Address };
            var company = await http.GetAsync($"/sandbox/quickbooks/v3/company/{DemoData.UsRealmId}/companyinfo/{DemoData.UsRealmId}");
            Assert.Equal(HttpStatusCode.Unauthorized, company.StatusCode);
            Assert.Equal("AUTHENTICATION", (await company.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("fault").GetProperty("type").GetString());
            var deals = await http.GetAsync("/sandbox/hubspot/crm/v3/objects/deals");
            Assert.Equal(HttpStatusCode.Unauthorized, deals.StatusCode);
            Assert.Equal("INVALID_AUTHENTICATION", (await deals.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("category").GetString());
        }

        var database = await PostgresServer.CreateDatabaseAsync();
        string[] durable = [$"--ConnectionStrings:Postgres={database}", "--Cluster:ClusterSecret=s", $"--Api:AdminKeys:0={AdminKey}"];
        await using (var clustered = await StartAsync(Silo.Program.CreateApp, durable))
        {
            using var http = new HttpClient { BaseAddress = clustered.Address };
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/sandbox/quickbooks/v3/company/{DemoData.UsRealmId}/companyinfo/1")).StatusCode);
        }

        await using var demo = await StartAsync(Silo.Program.CreateApp, [.. durable, "--Sandbox:Enabled=true"]);
        using var demoHttp = new HttpClient { BaseAddress = demo.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await demoHttp.GetAsync($"/sandbox/quickbooks/v3/company/{DemoData.UsRealmId}/companyinfo/1")).StatusCode);
    }

    [Fact]
    public async Task The_sandbox_runs_alone_and_answers_health()
    {
        await using var sandbox = await StartAsync(OrleansSync.Sandbox.Program.CreateApp, []);
        using var http = new HttpClient { BaseAddress = sandbox.Address };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        var tokens = await (await http.PostAsync($"/sandbox/quickbooks/admin/realms/{DemoData.UsRealmId}/tokens", null)).Content.ReadFromJsonAsync<JsonElement>();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
        var company = await http.GetFromJsonAsync<JsonElement>($"/sandbox/quickbooks/v3/company/{DemoData.UsRealmId}/companyinfo/{DemoData.UsRealmId}");
        Assert.False(string.IsNullOrEmpty(company.GetProperty("CompanyInfo").GetProperty("CompanyName").GetString()));
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_bad_input_gets_problem_details()
    {
        await using var silo = await StartAsync(Silo.Program.CreateApp, [$"--Api:AdminKeys:0={AdminKey}"]);
        using var http = new HttpClient { BaseAddress = silo.Address };

        http.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, "test-admin-key-9876543210");
        var refused = await http.GetAsync("/api/cluster/silos");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("not valid", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        http.DefaultRequestHeaders.Remove(ApiKeyAuthenticationHandler.HeaderName);
        http.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, AdminKey);
        var badPage = await http.GetAsync("/api/inbox/dead-letters?take=5000");
        Assert.Equal(HttpStatusCode.BadRequest, badPage.StatusCode);
        Assert.Contains("take", (await badPage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        var notDead = await http.PostAsync("/api/inbox/dead-letters/3.7/replay", null);
        Assert.Equal(HttpStatusCode.NotFound, notDead.StatusCode);
        Assert.Equal("application/problem+json", notDead.Content.Headers.ContentType?.MediaType);

        var unknown = await http.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Over_PostgreSQL_the_api_alone_sees_the_silos_of_the_cluster()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        string[] durable = [$"--ConnectionStrings:Postgres={database}", "--Cluster:ClusterSecret=a-shared-secret", $"--Api:AdminKeys:0={AdminKey}"];
        await using var first = await StartAsync(Silo.Program.CreateApp, durable);
        await using var second = await StartAsync(Silo.Program.CreateApp, durable);
        await using var api = await StartAsync(Api.Program.CreateApp, durable);
        using var http = new HttpClient { BaseAddress = api.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        await Eventually.HoldsAsync(async () =>
        {
            var silos = (await http.GetFromJsonAsync<JsonElement>("/api/cluster/silos")).EnumerateArray().ToList();
            return silos.Count == 2 && silos.All(s => s.GetProperty("status").GetString() == "Active") && silos.Sum(s => s.GetProperty("partitionsOwned").GetInt32()) == 256 && silos.All(s => s.GetProperty("partitionsOwned").GetInt32() == 128);
        }, TimeSpan.FromSeconds(30), "two active silos share the 256 partitions");
    }

    [Fact]
    public async Task Over_PostgreSQL_a_missing_cluster_secret_or_admin_key_stops_the_start_with_a_clear_message()
    {
        var database = await PostgresServer.CreateDatabaseAsync();

        var noSecret = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(Silo.Program.CreateApp, [$"--ConnectionStrings:Postgres={database}", $"--Api:AdminKeys:0={AdminKey}"]));
        Assert.Contains("Cluster:ClusterSecret is required", noSecret.Message);

        var noKey = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(Api.Program.CreateApp, [$"--ConnectionStrings:Postgres={database}", "--Cluster:ClusterSecret=s"]));
        Assert.Contains("Api:AdminKeys", noKey.Message);
    }

    [Fact]
    public void The_api_alone_refuses_to_start_without_PostgreSQL()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Api.Program.CreateApp(["--urls=http://127.0.0.1:0"]));
        Assert.Contains("ConnectionStrings__Postgres", error.Message);
    }

    private static Task<RunningApp> StartAsync(Func<string[], Action<WebApplicationBuilder>?, WebApplication> create, string[] args)
        => RunningApp.StartAsync(create, args);
}
