using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Sandbox.Common;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.EndToEnd;

/// <summary>
/// The single-process product for an app HubSpot lets use timeline events, with a payment template configured (its
/// first template, id 1001, is created once the sandbox is up).
/// </summary>
public sealed class TimelineProduct : Product
{
    private RunningApp? _silo;

    public override Uri Api => _silo!.Address;

    public override Uri Sandbox => _silo!.Address;

    public override SandboxClock Clock => _silo!.Services.GetRequiredService<SandboxClock>();

    protected override async Task StartAsync()
    {
        _silo = await RunningApp.StartAsync(Silo.Program.CreateApp, [.. KeyArgs, "--Sandbox:DemoTenant=false", "--Sandbox:HubSpot:TimelineEventsEnabled=true", "--HubSpot:PaymentEventTemplateId=1001"], Configure);
        using var admin = new HttpClient { BaseAddress = new Uri(Sandbox, "sandbox/hubspot/") };
        var tokens = await OkJsonAsync(await admin.PostAsync($"admin/portals/{PortalId}/tokens", null));
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        var template = await OkJsonAsync(await admin.PostAsJsonAsync("integrators/timeline/v3/1234567/event-templates", new
        {
            name = "Payment received",
            objectType = "deals",
            headerTemplate = "Payment of {{amount}} {{currency}} received",
            detailTemplate = "Invoice {{invoiceNumber}}, reference {{paymentReference}}, from {{customer}}",
            tokens = new[]
            {
                new { name = "amount", label = "Amount", type = "number" },
                new { name = "currency", label = "Currency", type = "string" },
                new { name = "invoiceNumber", label = "Invoice", type = "string" },
                new { name = "paymentReference", label = "Reference", type = "string" },
                new { name = "customer", label = "Customer", type = "string" },
            },
        }));
        Assert.Equal("1001", template.GetProperty("id").GetString());
    }

    public override async Task DisposeAsync()
    {
        if (_silo is not null)
            await _silo.DisposeAsync();
    }
}

/// <summary>F13 where the app has a timeline template: payments appear as timeline events on the deal, once, and no note.</summary>
public sealed class PaymentTimelineTests(TimelineProduct product) : IClassFixture<TimelineProduct>
{
    [Fact]
    public async Task A_payment_is_a_timeline_event_on_the_deal_and_not_a_note()
    {
        var api = product.AdminApi();
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", "51001", null, ("Widget", 2));
        var created = await Product.OkJsonAsync(await api.PostAsJsonAsync($"deals/{dealId}/invoices", new { realmId = Product.Us, source = "scratch" }));
        var invoiceId = created.GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString()!;

        await product.QuickBooks.PayAsync(Product.Us, invoiceId, 20m);

        var deal = await Eventually.ValueAsync(
            async () => await Product.OkJsonAsync(await api.GetAsync($"deals/{dealId}")),
            d => d.GetProperty("payments").GetArrayLength() == 1,
            TimeSpan.FromSeconds(30),
            "the payment is shown on the deal");
        Assert.Equal("timeline", deal.GetProperty("payments")[0].GetProperty("where").GetString());
        using var sandbox = new HttpClient { BaseAddress = product.Sandbox };
        var timeline = await Product.OkJsonAsync(await sandbox.GetAsync($"sandbox/hubspot/admin/timeline/deals/{dealId}"));
        var events = timeline.GetProperty("results").EnumerateArray().ToList();
        Assert.Single(events);
        Assert.Equal("20.00", events[0].GetProperty("tokens").GetProperty("amount").GetString());
        Assert.Empty(await product.HubSpot.NoteBodiesOnDealAsync(dealId));
    }
}
