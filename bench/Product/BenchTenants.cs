using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansSync.Bench.RealTime;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Bench.Product;

/// <summary>A tenant of the benchmark: a HubSpot portal and the QuickBooks company it has connected.</summary>
internal sealed record BenchTenant(long PortalId, string RealmId)
{
    /// <summary>The demo tenant (portal and US company) and then the sandbox's extra tenants, as many as asked.</summary>
    public static IReadOnlyList<BenchTenant> First(int count)
        => [.. Enumerable.Range(0, count).Select(n => n == 0 ? new BenchTenant(DemoData.PortalId, DemoData.UsRealmId) : FromExtra(n))];

    private static BenchTenant FromExtra(int number)
    {
        var (portalId, realmId) = DemoData.ExtraTenant(number);
        return new BenchTenant(portalId, realmId);
    }
}

/// <summary>
/// Sets tenants up as people do, over HTTP: the HubSpot account installs the app and connects its company through the
/// real OAuth redirects; deals are made in HubSpot (the sandbox's admin endpoints), and an invoice is created from
/// each through the tenant API, which links it to the deal and writes the deal's invoice properties.
/// </summary>
internal sealed class BenchTenants(BenchProduct product) : IDisposable
{
    private readonly HttpClient _api = ApiClient(product.Api);
    private readonly HttpClient _browser = new(new HttpClientHandler { AllowAutoRedirect = false });
    private readonly HttpClient _hubSpotAdmin = new() { BaseAddress = new Uri(product.Sandbox, "sandbox/hubspot/admin/") };

    public async Task InstallAndConnectAsync(BenchTenant tenant)
    {
        var consent = await RedirectAsync(new Uri(product.Api, "oauth/hubspot/install"));
        await OkAsync(await _browser.GetAsync(await RedirectAsync(new Uri($"{consent}&portalId={tenant.PortalId}"))));

        var start = await OkAsync(await _api.PostAsync($"api/tenants/{tenant.PortalId}/accounts/quickbooks/connect", null));
        var authorize = new Uri($"{start.GetProperty("authorizationUrl").GetString()}&realmId={tenant.RealmId}");
        await OkAsync(await _browser.GetAsync(await RedirectAsync(authorize)));
    }

    /// <summary>Deals for Ada Lovelace (a customer of every company, matched by email), each with a widget and an invoice.</summary>
    public async Task<List<BenchInvoice>> CreateInvoicedDealsAsync(BenchTenant tenant, int deals, int firstIndex)
    {
        var invoices = new List<BenchInvoice>(deals);
        for (var i = 0; i < deals; i++)
        {
            var dealId = await CreateRecordAsync(tenant, "deals", new JsonObject
            {
                ["dealname"] = $"Bench deal {i + 1}",
                ["dealstage"] = "contractsent",
                ["pipeline"] = "default",
                ["deal_currency_code"] = "USD",
            }, ("contacts", DemoData.People[0].HubSpotContactId, 3));
            var widget = DemoData.Products.Single(p => p.Name == "Widget");
            await CreateRecordAsync(tenant, "line_items", new JsonObject
            {
                ["name"] = widget.Name,
                ["hs_sku"] = widget.Sku,
                ["hs_product_id"] = widget.HubSpotProductId,
                ["quantity"] = "1",
                ["price"] = widget.UsdPrice.ToString(CultureInfo.InvariantCulture),
            }, ("deals", dealId, 20));

            var created = await OkAsync(await _api.PostAsJsonAsync($"api/tenants/{tenant.PortalId}/deals/{dealId}/invoices", new { realmId = tenant.RealmId, source = "scratch" }));
            var invoiceId = created.GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString()!;
            invoices.Add(new BenchInvoice(firstIndex + i, tenant.PortalId, tenant.RealmId, long.Parse(dealId, CultureInfo.InvariantCulture), invoiceId));
        }

        return invoices;
    }

    public void Dispose()
    {
        _api.Dispose();
        _browser.Dispose();
        _hubSpotAdmin.Dispose();
    }

    private async Task<string> CreateRecordAsync(BenchTenant tenant, string objectType, JsonObject properties, (string Type, string Id, int TypeId) association)
    {
        var body = new JsonObject
        {
            ["properties"] = properties,
            ["associations"] = new JsonArray(new JsonObject
            {
                ["toObjectType"] = association.Type,
                ["toObjectId"] = association.Id,
                ["associationTypeId"] = association.TypeId,
            }),
        };
        var created = await OkAsync(await _hubSpotAdmin.PostAsJsonAsync($"objects/{objectType}?portalId={tenant.PortalId}", body));
        return created.GetProperty("id").GetString()!;
    }

    private async Task<Uri> RedirectAsync(Uri from)
    {
        using var response = await _browser.GetAsync(from);
        if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther) || response.Headers.Location is not { } location)
            throw new InvalidOperationException($"{from} answered {(int)response.StatusCode} instead of a redirect: {await response.Content.ReadAsStringAsync()}");
        return location.IsAbsoluteUri ? location : new Uri(from, location);
    }

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"{(int)response.StatusCode} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }
    }

    private static HttpClient ApiClient(Uri api)
    {
        var client = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BenchProduct.AdminKey);
        return client;
    }
}
