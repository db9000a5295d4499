using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Tests.EndToEnd;

/// <summary>
/// What people do in HubSpot, through the sandbox's admin endpoints (which, like HubSpot's own screens, use none of
/// the app's API budget): each test makes its own deal, contact and quotes, so that tests sharing a product never
/// step on each other.
/// </summary>
public sealed class HubSpotRecords(Uri sandbox)
{
    public enum QuoteState { Published, Draft, Expired }

    public async Task<string> CreateContactAsync(string firstName, string lastName, string email)
        => await CreateAsync("contacts", new() { ["firstname"] = firstName, ["lastname"] = lastName, ["email"] = email });

    public async Task<string> CreateCompanyAsync(string name) => await CreateAsync("companies", new() { ["name"] = name });

    /// <summary>A contact with only the properties given (no email, say).</summary>
    public async Task<string> CreateContactAsync(Dictionary<string, string> properties) => await CreateAsync("contacts", properties);

    /// <summary>Someone edits a contact in HubSpot.</summary>
    public async Task ChangeContactAsync(string contactId, Dictionary<string, string> properties)
    {
        using var admin = Admin();
        var body = new JsonObject { ["properties"] = new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))) };
        await Product.OkJsonAsync(await admin.PatchAsync($"objects/contacts/{contactId}", JsonContent.Create(body)));
    }

    /// <summary>The workflow action callbacks the app completed, as HubSpot recorded them.</summary>
    public async Task<IReadOnlyList<JsonElement>> WorkflowCallbacksAsync(string callbackId)
    {
        using var admin = Admin();
        var completions = await Product.OkJsonAsync(await admin.GetAsync($"workflow-callbacks?callbackId={Uri.EscapeDataString(callbackId)}"));
        return [.. completions.EnumerateArray().Select(c => c.Clone())];
    }

    /// <summary>A deal with its contact (and company) and line items of demo products, by name.</summary>
    public async Task<string> CreateDealAsync(string name, string contactId, string? companyId, params (string Product, int Quantity)[] lines)
    {
        var associations = new List<(string, string, int)> { ("contacts", contactId, 3) };
        if (companyId is not null)
            associations.Add(("companies", companyId, 5));
        var dealId = await CreateAsync("deals", new()
        {
            ["dealname"] = name,
            ["dealstage"] = "contractsent",
            ["pipeline"] = "default",
            ["deal_currency_code"] = "USD",
        }, associations);
        foreach (var line in lines)
            await CreateLineItemAsync(line.Product, line.Quantity, ("deals", dealId, 20));
        return dealId;
    }

    /// <summary>A quote of the deal with its own copies of the line items, published, draft, or published and expired.</summary>
    public async Task<string> CreateQuoteAsync(string dealId, string contactId, QuoteState state, DateOnly today, params (string Product, int Quantity)[] lines)
    {
        var quoteId = await CreateAsync("quotes", new()
        {
            ["hs_title"] = $"Quote for deal {dealId}",
            ["hs_expiration_date"] = today.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["hs_status"] = "DRAFT",
            ["hs_currency"] = "USD",
        }, [("deals", dealId, 64), ("contacts", contactId, 69)]);
        foreach (var line in lines)
            await CreateLineItemAsync(line.Product, line.Quantity, ("quotes", quoteId, 68));

        using var admin = Admin();
        if (state != QuoteState.Draft)
            (await admin.PostAsync($"quotes/{quoteId}/publish", null)).EnsureSuccessStatusCode();
        if (state == QuoteState.Expired)
            (await admin.PostAsync($"quotes/{quoteId}/expire", null)).EnsureSuccessStatusCode();
        return quoteId;
    }

    /// <summary>The deal's properties as HubSpot has them now.</summary>
    public async Task<IReadOnlyDictionary<string, string?>> DealPropertiesAsync(string dealId, params string[] names)
    {
        using var admin = Admin();
        var deal = await Product.OkJsonAsync(await admin.GetAsync($"objects/deals/{dealId}"));
        var properties = deal.GetProperty("record").GetProperty("properties");
        return names.ToDictionary(name => name, name => properties.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null);
    }

    /// <summary>Someone merges <paramref name="mergedId"/> into <paramref name="primaryId"/> in HubSpot.</summary>
    public async Task MergeDealsAsync(string primaryId, string mergedId)
    {
        using var admin = Admin();
        (await admin.PostAsync($"objects/deals/{primaryId}/merge/{mergedId}", null)).EnsureSuccessStatusCode();
    }

    public async Task DeleteAsync(string objectType, string id)
    {
        using var admin = Admin();
        (await admin.DeleteAsync($"objects/{objectType}/{id}")).EnsureSuccessStatusCode();
    }

    /// <summary>The bodies of the notes on a deal's timeline.</summary>
    public async Task<IReadOnlyList<string>> NoteBodiesOnDealAsync(string dealId)
    {
        using var admin = Admin();
        var deal = await Product.OkJsonAsync(await admin.GetAsync($"objects/deals/{dealId}"));
        if (!deal.GetProperty("record").TryGetProperty("associations", out var associations) || !associations.TryGetProperty("notes", out var notes))
            return [];
        var bodies = new List<string>();
        foreach (var note in notes.GetProperty("results").EnumerateArray())
        {
            var read = await Product.OkJsonAsync(await admin.GetAsync($"objects/notes/{note.GetProperty("id").GetString()}"));
            bodies.Add(read.GetProperty("record").GetProperty("properties").GetProperty("hs_note_body").GetString() ?? "");
        }

        return bodies;
    }

    /// <summary>A deal property's definition, or null when the account has no such property.</summary>
    public async Task<JsonElement?> DealPropertyAsync(string name)
    {
        using var admin = Admin();
        var tokens = await Product.OkJsonAsync(await admin.PostAsync($"portals/{DemoData.PortalId}/tokens", null));
        using var api = new HttpClient { BaseAddress = new Uri(sandbox, "sandbox/hubspot/") };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("access_token").GetString());
        var response = await api.GetAsync($"crm/v3/properties/deals/{name}");
        return response.StatusCode == System.Net.HttpStatusCode.NotFound ? null : await Product.OkJsonAsync(response);
    }

    private async Task CreateLineItemAsync(string productName, int quantity, (string Type, string Id, int TypeId) parent)
    {
        var product = DemoData.Products.Single(p => p.Name == productName);
        await CreateAsync("line_items", new()
        {
            ["name"] = product.Name,
            ["hs_sku"] = product.Sku,
            ["hs_product_id"] = product.HubSpotProductId,
            ["quantity"] = quantity.ToString(CultureInfo.InvariantCulture),
            ["price"] = product.UsdPrice.ToString(CultureInfo.InvariantCulture),
        }, [parent]);
    }

    private async Task<string> CreateAsync(string objectType, Dictionary<string, string> properties, IEnumerable<(string Type, string Id, int TypeId)>? associations = null)
    {
        using var admin = Admin();
        var body = new JsonObject
        {
            ["properties"] = new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
            ["associations"] = new JsonArray((associations ?? []).Select(a => (JsonNode)new JsonObject
            {
                ["toObjectType"] = a.Type,
                ["toObjectId"] = a.Id,
                ["associationTypeId"] = a.TypeId,
            }).ToArray()),
        };
        var created = await Product.OkJsonAsync(await admin.PostAsync($"objects/{objectType}", JsonContent.Create(body)));
        return created.GetProperty("id").GetString()!;
    }

    private HttpClient Admin() => new() { BaseAddress = new Uri(sandbox, "sandbox/hubspot/admin/") };
}

/// <summary>What people do in QuickBooks, and what one sees there, through the sandbox.</summary>
public sealed class QuickBooksCompanies(Uri sandbox)
{
    public async Task<int> CountInvoicesAsync(string realmId)
    {
        using var api = await ApiAsync(realmId);
        var answer = await Product.OkJsonAsync(await PoliteGetAsync(api, $"v3/company/{realmId}/query?query={Uri.EscapeDataString("select count(*) from Invoice")}"));
        return answer.GetProperty("QueryResponse").GetProperty("totalCount").GetInt32();
    }

    public async Task<int> CountCustomersAsync(string realmId)
    {
        using var api = await ApiAsync(realmId);
        var answer = await Product.OkJsonAsync(await PoliteGetAsync(api, $"v3/company/{realmId}/query?query={Uri.EscapeDataString("select count(*) from Customer")}"));
        return answer.GetProperty("QueryResponse").GetProperty("totalCount").GetInt32();
    }

    /// <summary>Trouble in QuickBooks on purpose: every request waits this long first.</summary>
    public async Task SetLatencyAsync(int milliseconds)
    {
        using var admin = Admin();
        await Product.OkJsonAsync(await admin.PutAsJsonAsync("faults", new { latencyMilliseconds = milliseconds }));
    }

    /// <summary>Trouble in QuickBooks on purpose: this share of API requests (0 to 1) is answered with a 500.</summary>
    public async Task SetServerErrorRateAsync(double rate)
    {
        using var admin = Admin();
        await Product.OkJsonAsync(await admin.PutAsJsonAsync("faults", new { serverErrorRate = rate }));
    }

    public async Task<JsonElement> InvoiceAsync(string realmId, string invoiceId)
    {
        using var api = await ApiAsync(realmId);
        return (await Product.OkJsonAsync(await PoliteGetAsync(api, $"v3/company/{realmId}/invoice/{invoiceId}"))).GetProperty("Invoice");
    }

    public async Task SendAsync(string realmId, string invoiceId)
    {
        using var admin = Admin();
        await Product.OkJsonAsync(await admin.PostAsJsonAsync($"realms/{realmId}/invoices/{invoiceId}/send", new { }));
    }

    public async Task PayAsync(string realmId, string invoiceId, decimal amount)
    {
        using var admin = Admin();
        await Product.OkJsonAsync(await admin.PostAsJsonAsync($"realms/{realmId}/invoices/{invoiceId}/payments", new { amount }));
    }

    public async Task ChangeInvoiceAsync(string realmId, string invoiceId, object changes)
    {
        using var admin = Admin();
        await Product.OkJsonAsync(await admin.PatchAsync($"realms/{realmId}/invoices/{invoiceId}", JsonContent.Create(changes)));
    }

    /// <summary>Someone disconnects the app in QuickBooks: every token the app holds for the company stops working.</summary>
    public async Task DisconnectAppAsync(string realmId)
    {
        using var admin = Admin();
        await Product.OkJsonAsync(await admin.PostAsync($"realms/{realmId}/disconnect", null));
    }

    /// <summary>"legacy" (eventNotifications) or "cloudevents".</summary>
    public async Task SetWebhookFormatAsync(string realmId, string format)
    {
        using var admin = Admin();
        await Product.OkJsonAsync(await admin.PutAsJsonAsync($"realms/{realmId}/webhook-format", new { format }));
    }

    /// <summary>The share of webhooks QuickBooks loses on the way.</summary>
    public async Task SetDroppedWebhookRateAsync(double rate)
    {
        using var admin = Admin();
        await Product.OkJsonAsync(await admin.PutAsJsonAsync("faults", new { droppedWebhookRate = rate }));
    }

    /// <summary>The body of the last QuickBooks webhook delivered that contains <paramref name="text"/>.</summary>
    public async Task<byte[]> LastWebhookMentioningAsync(string text)
    {
        using var client = new HttpClient { BaseAddress = sandbox };
        var log = await Product.OkJsonAsync(await client.GetAsync("sandbox/admin/webhooks?api=quickbooks"));
        var body = log.GetProperty("attempts").EnumerateArray()
            .Where(a => a.GetProperty("outcome").GetString() == "delivered" && a.GetProperty("body").GetString()!.Contains(text, StringComparison.Ordinal))
            .Select(a => a.GetProperty("body").GetString()!)
            .Last();
        return System.Text.Encoding.UTF8.GetBytes(body);
    }

    public async Task<int> DroppedWebhooksAsync()
    {
        using var client = new HttpClient { BaseAddress = sandbox };
        var log = await Product.OkJsonAsync(await client.GetAsync("sandbox/admin/webhooks?api=quickbooks"));
        return log.GetProperty("attempts").EnumerateArray().Count(a => a.GetProperty("outcome").GetString() == "dropped");
    }

    public async Task SetCustomTransactionNumbersAsync(string realmId, bool on)
    {
        using var admin = Admin();
        await Product.OkJsonAsync(await admin.PutAsJsonAsync($"realms/{realmId}/preferences", new { customTxnNumbers = on }));
    }

    private HttpClient Admin() => new() { BaseAddress = new Uri(sandbox, "sandbox/quickbooks/admin/") };

    /// <summary>
    /// The sandbox counts a company's requests whoever makes them, so the test's own reads share the product's budget;
    /// when that is spent the test waits, as the product would.
    /// </summary>
    private static async Task<HttpResponseMessage> PoliteGetAsync(HttpClient api, string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await api.GetAsync(path);
            if (response.StatusCode != System.Net.HttpStatusCode.TooManyRequests || attempt == 10)
                return response;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private async Task<HttpClient> ApiAsync(string realmId)
    {
        using var admin = Admin();
        var tokens = await Product.OkJsonAsync(await admin.PostAsync($"realms/{realmId}/tokens", null));
        var api = new HttpClient { BaseAddress = new Uri(sandbox, "sandbox/quickbooks/") };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());
        api.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return api;
    }
}
