using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansSync.Clients.Webhooks;
using OrleansSync.Grains.Deals;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSync.Tests.EndToEnd;

/// <summary>
/// The product kept live by webhooks from both systems, through the durable inbox, with the periodic resync behind
/// them (F13, F20, B2, B6): run once against the single-process default and once against three silos on PostgreSQL.
/// </summary>
public abstract class RealTimeScenarios(Product product, ITestOutputHelper output) : IDisposable
{
    private const string HubSpotSecret = "sandbox-hubspot-client-secret";
    private const string QuickBooksVerifier = "sandbox-quickbooks-verifier-token";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpClient _api = product.AdminApi();
    private readonly HttpClient _webhooks = new() { BaseAddress = new Uri(product.Api, "webhooks/") };

    protected Product Product => product;

    protected ITestOutputHelper Output => output;

    [Fact]
    public async Task QuickBooks_webhooks_in_either_format_move_the_deal_with_no_one_asking()
    {
        var (dealId, invoiceId) = await DealWithInvoiceAsync(("Widget", 2));

        await product.QuickBooks.SendAsync(Product.Us, invoiceId); // a legacy eventNotifications webhook
        await WaitForDealStatusAsync(dealId, "sent_to_customer");
        await product.QuickBooks.SetWebhookFormatAsync(Product.Us, "cloudevents");
        try
        {
            await PayInFullAsync(invoiceId); // a CloudEvents webhook
            await WaitForDealStatusAsync(dealId, "paid_in_full");
        }
        finally
        {
            await product.QuickBooks.SetWebhookFormatAsync(Product.Us, "legacy");
        }

        // Each status change published once (F15), for workflows and operators.
        var events = await Eventually.ValueAsync(
            () => StatusEventsAsync(invoiceId),
            e => e.Count == 3 && e.All(x => x.Published),
            Patience,
            $"invoice {invoiceId}'s three status changes are published");
        Assert.Equal(["WaitingToBeSent", "SentToCustomer", "PaidInFull"], events.Select(e => e.After));

        var history = (await InvoiceAsync(invoiceId)).GetProperty("history").EnumerateArray().ToList();
        Assert.Contains(history, h => h.GetProperty("what").GetString()!.Contains("→ Sent to customer", StringComparison.Ordinal) && h.GetProperty("cause").GetProperty("kind").GetString() == "webhook");
        Assert.Contains(history, h => h.GetProperty("what").GetString()!.Contains("→ Paid in full", StringComparison.Ordinal) && h.GetProperty("cause").GetProperty("kind").GetString() == "webhook");
    }

    [Fact]
    public async Task Webhooks_with_a_bad_signature_are_refused_and_nothing_is_recorded()
    {
        var eventId = $"refused-{Guid.NewGuid():N}";
        var body = Encoding.UTF8.GetBytes(new JsonArray(CloudEvent(eventId, "invoice", "updated", "1")).ToJsonString());

        var unsigned = await PostAsync("quickbooks", body, "application/cloudevents+json");
        var forged = await PostAsync("quickbooks", body, "application/cloudevents+json", (IntuitWebhookSignature.HeaderName, IntuitWebhookSignature.Compute(body, "not-the-verifier-token")));
        var hubSpotForged = await PostAsync("hubspot", Encoding.UTF8.GetBytes("[]"), "application/json", (HubSpotSignature.SignatureV3Header, "AAAA"), (HubSpotSignature.TimestampHeader, Now()));
        var hubSpotStale = await PostSignedHubSpotAsync(Encoding.UTF8.GetBytes("[]"), DateTimeOffset.UtcNow.AddMinutes(-6));

        foreach (var refused in new[] { unsigned, forged, hubSpotForged, hubSpotStale })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("Nothing was recorded", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        // Had the refused request been recorded, the same event would now be a duplicate.
        var accepted = await Product.OkJsonAsync(await PostAsync("quickbooks", body, "application/cloudevents+json", (IntuitWebhookSignature.HeaderName, IntuitWebhookSignature.Compute(body, QuickBooksVerifier))));
        Assert.Equal(1, accepted.GetProperty("recorded").GetInt32());
        Assert.Equal(0, accepted.GetProperty("duplicates").GetInt32());

        var malformed = Encoding.UTF8.GetBytes("{\"eventNotifications\": [");
        var badJson = await PostAsync("quickbooks", malformed, "application/json", (IntuitWebhookSignature.HeaderName, IntuitWebhookSignature.Compute(malformed, QuickBooksVerifier)));
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostSignedHubSpotAsync(Encoding.UTF8.GetBytes("{\"not\": \"an array\"}"), DateTimeOffset.UtcNow)).StatusCode);
    }

    [Fact]
    public async Task A_signed_webhook_for_a_company_nobody_connected_is_acknowledged_and_dropped()
    {
        var body = Encoding.UTF8.GetBytes(new JsonArray(CloudEvent($"stranger-{Guid.NewGuid():N}", "invoice", "created", "7", realmId: "999000111")).ToJsonString());

        var receipt = await Product.OkJsonAsync(await PostAsync("quickbooks", body, "application/cloudevents+json", (IntuitWebhookSignature.HeaderName, IntuitWebhookSignature.Compute(body, QuickBooksVerifier))));

        Assert.Equal(0, receipt.GetProperty("recorded").GetInt32());
        Assert.Equal(1, receipt.GetProperty("dropped").GetInt32());
    }

    [Fact]
    public async Task A_HubSpot_batch_of_100_events_with_20_duplicates_has_80_effects()
    {
        var (dealId, _) = await DealWithInvoiceAsync(("Widget", 1));
        var occurredAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var distinct = Enumerable.Range(1, 80).Select(i => new JsonObject
        {
            ["eventId"] = 700_000 + i,
            ["subscriptionId"] = 42,
            ["portalId"] = Product.PortalId,
            ["appId"] = 1_234_567,
            ["occurredAt"] = occurredAt + i,
            ["subscriptionType"] = "deal.associationChange",
            ["attemptNumber"] = 0,
            ["changeSource"] = "CRM_UI",
            ["associationType"] = "DEAL_TO_CONTACT",
            ["fromObjectId"] = long.Parse(dealId, CultureInfo.InvariantCulture),
            ["toObjectId"] = 9_100_000 + i,
            ["associationRemoved"] = false,
            ["isPrimaryAssociation"] = false,
        }).ToList();
        // HubSpot retries: the same events again, attempt 1.
        var repeats = distinct.Take(20).Select(e => { var copy = (JsonObject)e.DeepClone(); copy["attemptNumber"] = 1; return copy; });
        var body = Encoding.UTF8.GetBytes(new JsonArray([.. distinct.Concat(repeats).OrderBy(_ => Random.Shared.Next())]).ToJsonString());

        var receipt = await Product.OkJsonAsync(await PostSignedHubSpotAsync(body, DateTimeOffset.UtcNow));
        var again = await Product.OkJsonAsync(await PostSignedHubSpotAsync(body, DateTimeOffset.UtcNow));

        Assert.Equal(100, receipt.GetProperty("received").GetInt32());
        Assert.Equal(80, receipt.GetProperty("recorded").GetInt32());
        Assert.Equal(20, receipt.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, again.GetProperty("recorded").GetInt32());
        var deal = await Eventually.ValueAsync(
            async () => await Product.OkJsonAsync(await _api.GetAsync($"deals/{dealId}")),
            d => Contacts(d).Count >= 80,
            Patience,
            $"deal {dealId} took the 80 associations");
        await Task.Delay(TimeSpan.FromSeconds(1)); // time for a wrongly repeated effect to show
        deal = await Product.OkJsonAsync(await _api.GetAsync($"deals/{dealId}"));
        Assert.Equal(Enumerable.Range(1, 80).Select(i => (9_100_000 + i).ToString(CultureInfo.InvariantCulture)).Order().ToList(), Contacts(deal).Where(c => c.StartsWith("91", StringComparison.Ordinal)).Order().ToList());
        Assert.Equal(80, deal.GetProperty("activity").EnumerateArray().Count(a => a.GetProperty("what").GetString()!.StartsWith("Associated with contacts/91", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Deleting_or_merging_deals_in_HubSpot_reaches_the_deal_grains()
    {
        var (kept, keptInvoice) = await DealWithInvoiceAsync(("Widget", 1));
        var (merged, mergedInvoice) = await DealWithInvoiceAsync(("Support plan", 1));
        var (deleted, _) = await DealWithInvoiceAsync(("Widget", 2));

        await product.HubSpot.MergeDealsAsync(kept, merged);
        await product.HubSpot.DeleteAsync("deals", deleted);

        var primary = await Eventually.ValueAsync(
            async () => await Product.OkJsonAsync(await _api.GetAsync($"deals/{kept}")),
            d => d.GetProperty("invoices").GetArrayLength() == 2,
            Patience,
            $"deal {kept} took over the invoice of merged deal {merged}");
        Assert.Contains(primary.GetProperty("invoices").EnumerateArray(), i => i.GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString() == mergedInvoice);
        Assert.Contains(primary.GetProperty("invoices").EnumerateArray(), i => i.GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString() == keptInvoice);
        var gone = await Product.OkJsonAsync(await _api.GetAsync($"deals/{merged}"));
        Assert.Equal(kept, gone.GetProperty("mergedInto").GetString());
        Assert.Equal(0, gone.GetProperty("invoices").GetArrayLength());
        var invoice = await InvoiceAsync(mergedInvoice);
        Assert.Equal([$"deals/{kept}"], invoice.GetProperty("summary").GetProperty("linkedTo").EnumerateArray().Select(r => $"{r.GetProperty("objectType").GetString()}/{r.GetProperty("objectId").GetString()}"));
        await Eventually.ValueAsync(
            async () => await Product.OkJsonAsync(await _api.GetAsync($"deals/{deleted}")),
            d => d.GetProperty("deleted").GetBoolean(),
            Patience,
            $"deal {deleted} is known to be deleted");
    }

    [Fact]
    public async Task A_payment_appears_once_on_the_deal_even_when_its_webhook_comes_twice()
    {
        var (dealId, invoiceId) = await DealWithInvoiceAsync(("Widget", 2));

        await product.QuickBooks.PayAsync(Product.Us, invoiceId, 10m);
        await WaitForDealStatusAsync(dealId, "partial_payment");
        var notes = await Eventually.ValueAsync(() => product.HubSpot.NoteBodiesOnDealAsync(dealId), n => n.Count == 1, Patience, $"deal {dealId} shows the payment");
        Assert.Contains("Payment received in QuickBooks: 10.00 USD", notes[0], StringComparison.Ordinal);

        // QuickBooks delivers the same notification again, and then the same change as a new event.
        var delivered = await product.QuickBooks.LastWebhookMentioningAsync($"\"Payment\"");
        var again = await Product.OkJsonAsync(await PostAsync("quickbooks", delivered, "application/json", (IntuitWebhookSignature.HeaderName, IntuitWebhookSignature.Compute(delivered, QuickBooksVerifier))));
        Assert.Equal(0, again.GetProperty("recorded").GetInt32());
        var paymentId = JsonNode.Parse(delivered)!["eventNotifications"]![0]!["dataChangeEvent"]!["entities"]!.AsArray().First(e => e!["name"]!.GetValue<string>() == "Payment")!["id"]!.GetValue<string>();
        var reworded = Encoding.UTF8.GetBytes(new JsonArray(CloudEvent($"redelivered-{Guid.NewGuid():N}", "payment", "created", paymentId)).ToJsonString());
        Assert.Equal(1, (await Product.OkJsonAsync(await PostAsync("quickbooks", reworded, "application/cloudevents+json", (IntuitWebhookSignature.HeaderName, IntuitWebhookSignature.Compute(reworded, QuickBooksVerifier))))).GetProperty("recorded").GetInt32());

        await Task.Delay(TimeSpan.FromSeconds(2)); // the redelivered event's time to do harm
        Assert.Single(await product.HubSpot.NoteBodiesOnDealAsync(dealId));
        var deal = await Product.OkJsonAsync(await _api.GetAsync($"deals/{dealId}"));
        Assert.Single(deal.GetProperty("payments").EnumerateArray());
    }

    [Fact]
    public async Task With_every_webhook_lost_the_resync_alone_brings_the_change_within_one_period()
    {
        var (dealId, invoiceId) = await DealWithInvoiceAsync(("Widget", 1));
        await product.QuickBooks.SetDroppedWebhookRateAsync(1.0);
        try
        {
            await PayInFullAsync(invoiceId);
            var paidAt = DateTimeOffset.UtcNow;
            await WaitForDealStatusAsync(dealId, "paid_in_full", Product.ResyncInterval * 2 + TimeSpan.FromSeconds(10));
            output.WriteLine($"repaired {DateTimeOffset.UtcNow - paidAt} after the payment");
        }
        finally
        {
            await product.QuickBooks.SetDroppedWebhookRateAsync(0);
        }

        var history = (await InvoiceAsync(invoiceId)).GetProperty("history").EnumerateArray().ToList();
        Assert.Contains(history, h => h.GetProperty("what").GetString()!.Contains("→ Paid in full", StringComparison.Ordinal) && h.GetProperty("cause").GetProperty("kind").GetString() == "resync");
        var account = (await Product.OkJsonAsync(await _api.GetAsync("accounts"))).EnumerateArray().Single(a => a.GetProperty("realmId").GetString() == Product.Us);
        Assert.NotNull(account.GetProperty("sync").GetProperty("lastResync").GetProperty("method").GetString());
    }

    [Fact]
    public async Task With_a_tenth_of_webhooks_lost_every_deal_is_right_within_one_resync_period()
    {
        var deals = new List<(string DealId, string InvoiceId)>();
        for (var i = 0; i < 8; i++)
            deals.Add(await DealWithInvoiceAsync(("Widget", 1)));
        await product.QuickBooks.SetDroppedWebhookRateAsync(0.1);
        DateTimeOffset lastChange;
        try
        {
            foreach (var (_, invoiceId) in deals)
            {
                await PayInFullAsync(invoiceId);
                await Task.Delay(250); // a notification each, not one for all
            }

            lastChange = DateTimeOffset.UtcNow;
        }
        finally
        {
            await product.QuickBooks.SetDroppedWebhookRateAsync(0);
        }

        foreach (var (dealId, _) in deals)
            await WaitForDealStatusAsync(dealId, "paid_in_full", Product.ResyncInterval * 2 + TimeSpan.FromSeconds(10) - (DateTimeOffset.UtcNow - lastChange));
        var dropped = await product.QuickBooks.DroppedWebhooksAsync();
        output.WriteLine($"{dropped} QuickBooks webhooks dropped so far");
    }

    /// <summary>A new deal of Ada's with an invoice made from its line items.</summary>
    protected async Task<(string DealId, string InvoiceId)> DealWithInvoiceAsync(params (string Product, int Quantity)[] lines)
    {
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", "51001", null, lines);
        var created = await Product.OkJsonAsync(await _api.PostAsJsonAsync($"deals/{dealId}/invoices", new { realmId = Product.Us, source = "scratch" }));
        return (dealId, created.GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString()!);
    }

    protected async Task PayInFullAsync(string invoiceId)
    {
        var balance = (await product.QuickBooks.InvoiceAsync(Product.Us, invoiceId)).GetProperty("Balance").GetDecimal();
        await product.QuickBooks.PayAsync(Product.Us, invoiceId, balance);
    }

    protected async Task WaitForDealStatusAsync(string dealId, string status, TimeSpan? patience = null)
        => await Eventually.HoldsAsync(
            async () => (await product.HubSpot.DealPropertiesAsync(dealId, DealProperties.Status))[DealProperties.Status] == status,
            patience ?? Patience,
            $"deal {dealId}'s invoice status is {status}");

    protected async Task<JsonElement> InvoiceAsync(string invoiceId) => await Product.OkJsonAsync(await _api.GetAsync($"accounts/{Product.Us}/invoices/{invoiceId}"));

    /// <summary>The invoice's status changes in the outbox, oldest first: the status reached, and whether published yet.</summary>
    private async Task<List<(string After, bool Published)>> StatusEventsAsync(string invoiceId)
    {
        using var admin = new HttpClient { BaseAddress = product.Api };
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Product.AdminKey);
        var page = await Product.OkJsonAsync(await admin.GetAsync($"api/events?tenant={Product.PortalId}&topic=invoice.status-changed&take=500"));
        return page.EnumerateArray()
            .Select(e => (Event: JsonDocument.Parse(e.GetProperty("payload").GetString()!).RootElement, Published: e.GetProperty("publishedAt").ValueKind == JsonValueKind.String))
            .Where(e => e.Event.GetProperty("realmId").GetString() == Product.Us && e.Event.GetProperty("invoiceId").GetString() == invoiceId)
            .OrderBy(e => e.Event.GetProperty("version").GetInt32())
            .Select(e => (e.Event.GetProperty("after").GetString()!, e.Published))
            .ToList();
    }

    private static List<string> Contacts(JsonElement deal)
        => deal.GetProperty("associations").EnumerateArray().Where(a => a.GetProperty("objectType").GetString() == "contacts").Select(a => a.GetProperty("objectId").GetString()!).ToList();

    private static JsonObject CloudEvent(string id, string entity, string verb, string entityId, string realmId = Product.Us) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = id,
        ["source"] = "intuit.test",
        ["type"] = $"qbo.{entity}.{verb}.v1",
        ["time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        ["intuitentityid"] = entityId,
        ["intuitaccountid"] = realmId,
        ["data"] = new JsonObject(),
    };

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body, string contentType, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return await _webhooks.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostSignedHubSpotAsync(byte[] body, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeMilliseconds();
        var signature = HubSpotSignature.ComputeV3(HubSpotSecret, "POST", new Uri(_webhooks.BaseAddress!, "hubspot").ToString(), body, timestamp);
        return PostAsync("hubspot", body, "application/json", (HubSpotSignature.SignatureV3Header, signature), (HubSpotSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture)));
    }

    private static string Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        foreach (var line in product.Logs.Lines.TakeLast(30))
            output.WriteLine(line);
        _api.Dispose();
        _webhooks.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class SingleProcessRealTimeTests(SingleProcessProduct product, ITestOutputHelper output)
    : RealTimeScenarios(product, output), IClassFixture<SingleProcessProduct>;

[Collection(PostgresCollection.Name)]
public sealed class ClusterRealTimeTests(ClusterProduct product, ITestOutputHelper output)
    : RealTimeScenarios(product, output), IClassFixture<ClusterProduct>
{
    [Fact]
    public async Task A_silo_killed_during_a_burst_of_1000_invoice_changes_loses_nothing()
    {
        const int Deals = 10, ChangesEach = 100;
        var deals = new List<(string DealId, string InvoiceId)>();
        for (var i = 0; i < Deals; i++)
            deals.Add(await DealWithInvoiceAsync(("Widget", 1)));
        var start = DateOnly.FromDateTime(product.Clock.GetUtcNow().UtcDateTime).AddDays(10);
        var made = 0;
        var killed = new TaskCompletionSource<RunningApp>();

        // Each invoice's due date moves a hundred times, one change after the other; the last one must stand.
        await Task.WhenAll(deals.Select(async deal =>
        {
            for (var round = 1; round <= ChangesEach; round++)
            {
                await product.QuickBooks.ChangeInvoiceAsync(Product.Us, deal.InvoiceId, new { DueDate = start.AddDays(round).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
                if (Interlocked.Increment(ref made) == Deals * ChangesEach * 3 / 10)
                    _ = Task.Run(async () => killed.SetResult(await product.KillTenantOwnerAsync()));
            }
        }));
        var victim = await killed.Task;
        Output.WriteLine($"killed silo {victim.Address} after 300 of {made} changes");

        var expected = start.AddDays(ChangesEach).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var (dealId, invoiceId) in deals)
        {
            await Eventually.HoldsAsync(
                async () => (await product.HubSpot.DealPropertiesAsync(dealId, DealProperties.DueDate))[DealProperties.DueDate] == expected,
                TimeSpan.FromMinutes(2),
                $"deal {dealId}'s due date property reached the last change, {expected}");
            var invoice = await InvoiceAsync(invoiceId);
            Assert.Equal(expected, invoice.GetProperty("summary").GetProperty("snapshot").GetProperty("dueDate").GetString());
        }

        var deadLetters = await Product.OkJsonAsync(await product.AdminApi().GetAsync(new Uri(product.Api, "api/inbox/dead-letters")));
        Assert.Equal(0, deadLetters.GetArrayLength());
    }
}
