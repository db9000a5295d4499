using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansSync.Sandbox.Common;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Sandbox;

/// <summary><c>Sandbox:ExtraTenants</c>: more portals and companies for load, each seeded like the demo ones.</summary>
public sealed class SandboxExtraTenantsTests
{
    [Fact]
    public async Task Extra_tenants_are_portals_and_US_companies_seeded_like_the_demo_ones_each_with_its_own_limits()
    {
        await using var sandbox = await RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, ["--Sandbox:ExtraTenants=2", "--Sandbox:QuickBooks:RequestsPerSecond=2"]);
        var (secondPortal, secondRealm) = DemoData.ExtraTenant(2);
        Assert.Equal((7300002L, "9341452917400002"), (secondPortal, secondRealm));

        using var hubSpot = QuickBooksSandboxTests.Admin(sandbox, "sandbox/hubspot/admin/");
        var portals = await hubSpot.GetFromJsonAsync<JsonElement>("portals");
        Assert.Equal([DemoData.PortalId, 7300001L, secondPortal], portals.EnumerateArray().Select(p => p.GetProperty("account").GetProperty("portalId").GetInt64()).Order());
        var deal = await hubSpot.GetFromJsonAsync<JsonElement>($"objects/deals/53001?portalId={secondPortal}");
        Assert.Equal("Analytical Engines rollout", deal.GetProperty("record").GetProperty("properties").GetProperty("dealname").GetString());

        using var quickBooks = QuickBooksSandboxTests.Admin(sandbox, "sandbox/quickbooks/admin/");
        var realms = await quickBooks.GetFromJsonAsync<JsonElement>("realms");
        var second = realms.EnumerateArray().Single(r => r.GetProperty("realmId").GetString() == secondRealm);
        Assert.Equal("US", second.GetProperty("country").GetString());
        Assert.Equal("Lakeside Supplies 2 Inc", second.GetProperty("companyName").GetString());

        // Its budget is its own: the demo company's requests leave it untouched.
        using var demo = QuickBooksSandboxTests.Api(sandbox, await QuickBooksSandboxTests.TokenAsync(sandbox, DemoData.UsRealmId));
        var demoAnswers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => demo.GetAsync($"v3/company/{DemoData.UsRealmId}/item/4")));
        Assert.Contains(demoAnswers, a => a.StatusCode == HttpStatusCode.TooManyRequests);
        using var api = QuickBooksSandboxTests.Api(sandbox, await QuickBooksSandboxTests.TokenAsync(sandbox, secondRealm));
        var item = await api.GetFromJsonAsync<JsonElement>($"v3/company/{secondRealm}/item/4");
        Assert.Equal("Widget", item.GetProperty("Item").GetProperty("Name").GetString());
    }

    [Fact]
    public async Task More_extra_tenants_than_the_numbering_allows_stop_the_start()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, ["--Sandbox:ExtraTenants=1000"]));
        Assert.Contains("Sandbox:ExtraTenants", failure.Message);
    }
}
