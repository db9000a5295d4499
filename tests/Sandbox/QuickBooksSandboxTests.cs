using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansSync.Clients.Webhooks;
using OrleansSync.Sandbox.Common;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Sandbox;

/// <summary>The QuickBooks sandbox seen as raw HTTP: error bodies, limits, faults and webhooks, as Intuit sends them.</summary>
public sealed class QuickBooksSandboxTests
{
    private const string Us = DemoData.UsRealmId;
    private const string Uk = DemoData.UkRealmId;
    private const string VerifierToken = "sandbox-quickbooks-verifier-token";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Unknown_and_expired_tokens_get_Intuits_lowercase_401_body()
    {
        await using var sandbox = await RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, []);
        using var api = Api(sandbox, "not-a-token-but-long-enough-to-pass");

        var unknown = await api.GetAsync($"v3/company/{Us}/companyinfo/{Us}");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        var body = await unknown.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("AUTHENTICATION", body.GetProperty("fault").GetProperty("type").GetString());
        Assert.Equal("3200", body.GetProperty("fault").GetProperty("error")[0].GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Number, body.GetProperty("time").ValueKind);

        using var valid = Api(sandbox, await TokenAsync(sandbox, Us));
        Assert.Equal(HttpStatusCode.OK, (await valid.GetAsync($"v3/company/{Us}/companyinfo/{Us}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await valid.GetAsync($"v3/company/{Uk}/companyinfo/{Uk}")).StatusCode);
        await Admin(sandbox, "sandbox/admin/").PostAsJsonAsync("clock/advance", new { minutes = 61 });
        var expired = await valid.GetAsync($"v3/company/{Us}/companyinfo/{Us}");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.StartsWith("Token expired", (await expired.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("fault").GetProperty("error")[0].GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Over_the_limit_a_company_gets_429_with_the_throttle_fault()
    {
        await using var sandbox = await RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, ["--Sandbox:QuickBooks:RequestsPerSecond=3"]);
        using var api = Api(sandbox, await TokenAsync(sandbox, Us));

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => api.GetAsync($"v3/company/{Us}/item/2")));

        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        var throttled = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        var error = (await throttled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Fault").GetProperty("Error")[0];
        Assert.Equal("3001", error.GetProperty("code").GetString());
        Assert.Equal("message=ThrottleExceeded; errorCode=003001; statusCode=429", error.GetProperty("Message").GetString());
        // The other company has its own budget.
        using var uk = Api(sandbox, await TokenAsync(sandbox, Uk));
        Assert.Equal(HttpStatusCode.OK, (await uk.GetAsync($"v3/company/{Uk}/item/2")).StatusCode);
    }

    [Fact]
    public async Task Injected_server_errors_carry_a_system_fault_and_can_be_switched_off()
    {
        await using var sandbox = await RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, ["--Sandbox:QuickBooks:Faults:ServerErrorRate=1"]);
        using var api = Api(sandbox, await TokenAsync(sandbox, Us));

        var failed = await api.GetAsync($"v3/company/{Us}/item/2");
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("SystemFault", (await failed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Fault").GetProperty("type").GetString());

        var admin = Admin(sandbox, "sandbox/quickbooks/admin/");
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("faults", new { serverErrorRate = 2.0 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("faults", new { serverErrorRate = 0.0 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"v3/company/{Us}/item/2")).StatusCode);
    }

    [Fact]
    public async Task Bad_input_gets_a_validation_fault_never_a_server_error()
    {
        await using var sandbox = await RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, []);
        using var api = Api(sandbox, await TokenAsync(sandbox, Us));

        var malformed = await api.PostAsync($"v3/company/{Us}/invoice?requestid=1", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(("2010", HttpStatusCode.BadRequest), (await CodeAsync(malformed), malformed.StatusCode));
        var noLines = await Write(api, $"v3/company/{Us}/invoice?requestid=2", new { CustomerRef = new { value = "1" } });
        Assert.Equal("2020", await CodeAsync(noLines));
        var unknownItem = await Write(api, $"v3/company/{Us}/invoice?requestid=3", new { CustomerRef = new { value = "1" }, Line = new[] { new { DetailType = "SalesItemLineDetail", Amount = 10, SalesItemLineDetail = new { ItemRef = new { value = "999" } } } } });
        Assert.Equal("2500", await CodeAsync(unknownItem));
        var badQuery = await api.GetAsync($"v3/company/{Us}/query?query={Uri.EscapeDataString("select * from Invoice where Total = 5 OR Balance = 1")}");
        Assert.Equal(("4000", HttpStatusCode.BadRequest), (await CodeAsync(badQuery), badQuery.StatusCode));
        var oldChanges = await api.GetAsync($"v3/company/{Us}/cdc?entities=Invoice&changedSince=2020-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, oldChanges.StatusCode);
        var bigBatch = await Write(api, $"v3/company/{Us}/batch?requestid=4", new { BatchItemRequest = Enumerable.Range(0, 31).Select(i => new { bId = $"{i}", Query = "select * from Item" }) });
        Assert.Equal(HttpStatusCode.BadRequest, bigBatch.StatusCode);
    }

    [Fact]
    public async Task With_custom_transaction_numbers_on_QuickBooks_numbers_no_invoice()
    {
        await using var sandbox = await RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, []);
        using var api = Api(sandbox, await TokenAsync(sandbox, Us));
        var invoice = new { CustomerRef = new { value = "1" }, Line = new[] { new { DetailType = "SalesItemLineDetail", SalesItemLineDetail = new { ItemRef = new { value = "2" }, Qty = 1 } } } };

        var numberedText = await (await Write(api, $"v3/company/{Us}/invoice?requestid=a", invoice)).Content.ReadAsStringAsync();
        Assert.True(JsonDocument.Parse(numberedText).RootElement.GetProperty("Invoice").TryGetProperty("DocNumber", out _));
        Assert.DoesNotContain("null", numberedText, StringComparison.Ordinal); // QuickBooks leaves out what has no value

        await Admin(sandbox, "sandbox/quickbooks/admin/").PutAsJsonAsync($"realms/{Us}/preferences", new { customTxnNumbers = true });
        var preferences = await (await api.GetAsync($"v3/company/{Us}/preferences")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(preferences.GetProperty("Preferences").GetProperty("SalesFormsPrefs").GetProperty("CustomTxnNumbers").GetBoolean());
        var unnumbered = await (await Write(api, $"v3/company/{Us}/invoice?requestid=b", invoice)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(unnumbered.GetProperty("Invoice").TryGetProperty("DocNumber", out _));
    }

    [Fact]
    public async Task Changes_arrive_as_signed_legacy_notifications_and_after_a_switch_as_cloud_events()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var sandbox = await RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, [$"--Sandbox:QuickBooks:WebhookUrl={listener.Url}"]);
        using var api = Api(sandbox, await TokenAsync(sandbox, Us));
        var admin = Admin(sandbox, "sandbox/quickbooks/admin/");

        var created = await (await Write(api, $"v3/company/{Us}/customer?requestid=c1", new { DisplayName = "Webhook Customer" })).Content.ReadFromJsonAsync<JsonElement>();
        await Eventually.HoldsAsync(() => listener.Requests.Count == 1, Patience, "the legacy notification arrived");
        var legacy = listener.Requests.Single();
        Assert.True(IntuitWebhookSignature.IsValid(legacy.Body, legacy.Headers[IntuitWebhookSignature.HeaderName], VerifierToken));
        Assert.StartsWith("application/json", legacy.Headers["Content-Type"]);
        Assert.Equal("0.1", legacy.Headers["intuit-notification-schema-version"]);
        var change = Assert.Single(QuickBooksWebhook.Parse(legacy.Body));
        Assert.Equal((Us, "Customer", created.GetProperty("Customer").GetProperty("Id").GetString(), "Create"), (change.RealmId, change.Entity, change.EntityId, change.Operation));

        await admin.PutAsJsonAsync($"realms/{Us}/webhook-format", new { format = "cloudevents" });
        var invoice = await (await Write(api, $"v3/company/{Us}/invoice?requestid=i1", new { CustomerRef = new { value = "1" }, Line = new[] { new { DetailType = "SalesItemLineDetail", SalesItemLineDetail = new { ItemRef = new { value = "2" }, Qty = 2 } } } })).Content.ReadFromJsonAsync<JsonElement>();
        var invoiceId = invoice.GetProperty("Invoice").GetProperty("Id").GetString()!;
        await admin.PostAsJsonAsync($"realms/{Us}/invoices/{invoiceId}/payments", new { amount = 100m });
        await Eventually.HoldsAsync(() => listener.Requests.Count >= 2 && listener.Requests.Skip(1).SelectMany(r => QuickBooksWebhook.Parse(r.Body)).Count() >= 3, Patience, "the cloud events arrived");

        var cloud = listener.Requests.Skip(1).ToList();
        Assert.All(cloud, r => Assert.Equal("application/cloudevents+json", r.Headers["Content-Type"]));
        Assert.All(cloud, r => Assert.True(IntuitWebhookSignature.IsValid(r.Body, r.Headers[IntuitWebhookSignature.HeaderName], VerifierToken)));
        var events = cloud.SelectMany(r => QuickBooksWebhook.Parse(r.Body)).ToList();
        Assert.Contains(events, e => e.Entity == "Invoice" && e.EntityId == invoiceId && e.Operation == "Create");
        Assert.Contains(events, e => e.Entity == "Payment" && e.Operation == "Create");
        Assert.Contains(events, e => e.Entity == "Invoice" && e.EntityId == invoiceId && e.Operation == "Update");
        Assert.Contains("\"type\":\"qbo.invoice.created.v1\"", Encoding.UTF8.GetString(cloud[0].Body));
    }

    [Fact]
    public async Task An_unacknowledged_webhook_is_retried_and_a_dropped_one_never_comes()
    {
        await using var listener = await WebhookListener.StartAsync(respond: n => n < 2 ? 500 : 200);
        await using (var sandbox = await RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, [$"--Sandbox:QuickBooks:WebhookUrl={listener.Url}", "--Sandbox:WebhookRetryScale=0.001"]))
        {
            using var api = Api(sandbox, await TokenAsync(sandbox, Us));
            await Write(api, $"v3/company/{Us}/customer?requestid=r1", new { DisplayName = "Retried Customer" });
            await Eventually.HoldsAsync(() => listener.Requests.Count == 3, Patience, "two retries followed two failures");
            Assert.Single(listener.Requests.Select(r => Encoding.UTF8.GetString(r.Body)).Distinct());
        }

        await using var lossy = await RunningApp.StartAsync(OrleansSync.Sandbox.Program.CreateApp, [$"--Sandbox:QuickBooks:WebhookUrl={listener.Url}", "--Sandbox:QuickBooks:Faults:DroppedWebhookRate=1"]);
        using var lossyApi = Api(lossy, await TokenAsync(lossy, Us));
        await Write(lossyApi, $"v3/company/{Us}/customer?requestid=d1", new { DisplayName = "Dropped Customer" });
        var log = Admin(lossy, "sandbox/admin/");
        await Eventually.HoldsAsync(async () => (await log.GetFromJsonAsync<JsonElement>("webhooks?api=quickbooks")).GetProperty("attempts").EnumerateArray().Any(a => a.GetProperty("outcome").GetString() == "dropped"), Patience, "the drop was logged");
        Assert.Equal(3, listener.Requests.Count);
    }

    internal static HttpClient Api(RunningApp sandbox, string token)
    {
        var api = new HttpClient { BaseAddress = new Uri(sandbox.Address, "sandbox/quickbooks/") };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        api.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return api;
    }

    internal static HttpClient Admin(RunningApp sandbox, string path) => new() { BaseAddress = new Uri(sandbox.Address, path) };

    internal static async Task<string> TokenAsync(RunningApp sandbox, string realmId)
    {
        var tokens = await (await Admin(sandbox, "sandbox/quickbooks/admin/").PostAsync($"realms/{realmId}/tokens", null)).Content.ReadFromJsonAsync<JsonObject>();
        return tokens!["accessToken"]!.ToString();
    }

    /// <summary>Posts <paramref name="body"/> with its names as written (PascalCase, as QuickBooks has them), not camel-cased.</summary>
    internal static Task<HttpResponseMessage> Write(HttpClient api, string path, object body)
        => api.PostAsync(path, JsonContent.Create(body, options: new JsonSerializerOptions()));

    private static async Task<string?> CodeAsync(HttpResponseMessage response)
        => (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("Fault").GetProperty("Error")[0].GetProperty("code").GetString();
}
