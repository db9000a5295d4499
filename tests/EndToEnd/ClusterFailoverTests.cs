using System.Net;
using System.Net.Http.Json;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSync.Tests.EndToEnd;

/// <summary>B6 across a failover: the silo serving the tenant dies while an invoice is being created.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterFailoverTests(ClusterProduct product, ITestOutputHelper output) : IClassFixture<ClusterProduct>, IDisposable
{
    [Fact]
    public async Task The_same_Idempotency_Key_three_times_across_a_killed_silo_makes_one_invoice()
    {
        using var api = product.AdminApi();
        var dealId = await product.HubSpot.CreateDealAsync($"Failover {Guid.NewGuid():N}", "51001", null, ("Widget", 2));
        var before = await product.QuickBooks.CountInvoicesAsync(Product.Us);
        var key = Guid.NewGuid().ToString();

        // QuickBooks answers slowly, so that the silo can die with the invoice made in QuickBooks and the answer on its way.
        using var sandbox = new HttpClient { BaseAddress = new Uri(product.Sandbox, "sandbox/quickbooks/admin/") };
        (await sandbox.PutAsJsonAsync("faults", new { latencyMilliseconds = 1500 })).EnsureSuccessStatusCode();
        var first = CreateAsync(api, dealId, key);
        await Eventually.HoldsAsync(async () => await product.QuickBooks.CountInvoicesAsync(Product.Us) > before, TimeSpan.FromSeconds(30), "the invoice exists in QuickBooks");
        await product.KillTenantOwnerAsync();
        (await sandbox.PutAsJsonAsync("faults", new { latencyMilliseconds = 0 })).EnsureSuccessStatusCode();
        var firstAnswer = await first;
        output.WriteLine($"The first request, cut by the silo's death, answered {(int)firstAnswer.StatusCode}.");

        var second = await CreateAsync(api, dealId, key);
        var third = await CreateAsync(api, dealId, key);

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        var secondId = await InvoiceIdAsync(second);
        Assert.Equal(secondId, await InvoiceIdAsync(third));
        if (firstAnswer.StatusCode == HttpStatusCode.Created)
            Assert.Equal(secondId, await InvoiceIdAsync(firstAnswer));
        Assert.Equal(before + 1, await product.QuickBooks.CountInvoicesAsync(Product.Us));
        Assert.True(third.Headers.Contains("Idempotent-Replayed"));
    }

    public void Dispose()
    {
        foreach (var line in product.Logs.Lines)
            output.WriteLine(line);
    }

    private static Task<HttpResponseMessage> CreateAsync(HttpClient api, string dealId, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"deals/{dealId}/invoices") { Content = JsonContent.Create(new { realmId = Product.Us, source = "scratch" }) };
        request.Headers.Add("Idempotency-Key", key);
        return api.SendAsync(request);
    }

    private static async Task<string?> InvoiceIdAsync(HttpResponseMessage response)
        => (await Product.OkJsonAsync(response)).GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString();
}
