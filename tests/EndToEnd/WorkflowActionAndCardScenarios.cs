using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;
using static OrleansSync.Tests.EndToEnd.HubSpotCaller;

namespace OrleansSync.Tests.EndToEnd;

/// <summary>
/// What HubSpot calls, end to end through the sandbox: the workflow action "Create QuickBooks invoice" (F14) and the
/// record card with its actions (F12) — HubSpot's side played by signed requests, QuickBooks' and HubSpot's records
/// read back from the sandbox. Run against the single-process default and against three silos on PostgreSQL.
/// </summary>
public abstract class WorkflowActionAndCardScenarios(Product product, ITestOutputHelper output) : IDisposable
{
    private const string CreateInvoiceAction = "hubspot/workflow-actions/create-invoice";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpClient _api = product.AdminApi();
    private readonly HubSpotCaller _hubSpot = new(product.Api);

    private DateOnly SandboxToday => DateOnly.FromDateTime(product.Clock.GetUtcNow().UtcDateTime);

    [Fact]
    public async Task One_workflow_execution_delivered_three_times_makes_one_invoice_and_answers_it_three_times()
    {
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", "51001", null, ("Widget", 2));
        var before = await product.QuickBooks.CountInvoicesAsync(Product.Us);
        var execution = Execution(CallbackId(), dealId, new { realmId = Product.Us, dueDays = "30", message = "Thanks!" });

        var answers = new List<JsonElement>();
        foreach (var signing in new[] { Signing.V3, Signing.V3, Signing.V2 })
            answers.Add(await OutputsAsync(await _hubSpot.PostAsync(CreateInvoiceAction, execution, signing)));

        Assert.All(answers, a => Assert.Equal("SUCCESS", a.GetProperty("hs_execution_state").GetString()));
        var invoiceId = Assert.Single(answers.Select(a => a.GetProperty("invoiceId").GetString()).Distinct());
        Assert.Equal("Waiting to be sent", answers[0].GetProperty("invoiceStatus").GetString());
        Assert.Equal(before + 1, await product.QuickBooks.CountInvoicesAsync(Product.Us));

        var invoice = await product.QuickBooks.InvoiceAsync(Product.Us, invoiceId!);
        Assert.Equal(answers[0].GetProperty("invoiceNumber").GetString(), invoice.GetProperty("DocNumber").GetString());
        Assert.Equal("Ada Lovelace", invoice.GetProperty("CustomerRef").GetProperty("name").GetString());
        Assert.Equal("Thanks!", invoice.GetProperty("CustomerMemo").GetProperty("value").GetString());
        var due = DateOnly.ParseExact(invoice.GetProperty("DueDate").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.InRange(due.DayNumber - SandboxToday.DayNumber, 29, 31); // today in the account's time zone, plus 30
    }

    [Fact]
    public async Task Under_legacy_a_contact_no_customer_matches_becomes_a_new_QuickBooks_customer()
    {
        var name = UniqueName();
        var contactId = await product.HubSpot.CreateContactAsync(name.First, name.Last, $"{name.First}@legacy.example");
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", contactId, null, ("Widget", 1));
        var customers = await product.QuickBooks.CountCustomersAsync(Product.Us);

        var outputs = await OutputsAsync(await _hubSpot.PostAsync(CreateInvoiceAction, Execution(CallbackId(), dealId, new { realmId = Product.Us })));

        Assert.Equal("SUCCESS", outputs.GetProperty("hs_execution_state").GetString());
        Assert.Equal(customers + 1, await product.QuickBooks.CountCustomersAsync(Product.Us));
        var invoice = await product.QuickBooks.InvoiceAsync(Product.Us, outputs.GetProperty("invoiceId").GetString()!);
        Assert.Equal($"{name.First} {name.Last}", invoice.GetProperty("CustomerRef").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Under_data_sync_a_contact_without_email_fails_the_action_and_nothing_is_created()
    {
        var name = UniqueName();
        var contactId = await product.HubSpot.CreateContactAsync(new() { ["firstname"] = name.First, ["lastname"] = name.Last });
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", contactId, null, ("Widget", 1));
        var (invoices, customers) = (await product.QuickBooks.CountInvoicesAsync(Product.Us), await product.QuickBooks.CountCustomersAsync(Product.Us));

        await using (await DataSyncAsync(requireEmail: true))
        {
            var outputs = await OutputsAsync(await _hubSpot.PostAsync(CreateInvoiceAction, Execution(CallbackId(), dealId, new { realmId = Product.Us })));

            Assert.Equal("FAIL_CONTINUE", outputs.GetProperty("hs_execution_state").GetString());
            Assert.Contains("it has no email", outputs.GetProperty("errorMessage").GetString());
            Assert.Contains($"contact {contactId}", outputs.GetProperty("errorMessage").GetString());
        }

        Assert.Equal(invoices, await product.QuickBooks.CountInvoicesAsync(Product.Us));
        Assert.Equal(customers, await product.QuickBooks.CountCustomersAsync(Product.Us));
    }

    [Fact]
    public async Task Under_data_sync_only_a_contact_in_an_allowed_lifecycle_stage_becomes_a_customer()
    {
        var name = UniqueName();
        var contactId = await product.HubSpot.CreateContactAsync(new() { ["firstname"] = name.First, ["lastname"] = name.Last, ["email"] = $"{name.First}@datasync.example", ["lifecyclestage"] = "lead" });
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", contactId, null, ("Widget", 1));
        var customers = await product.QuickBooks.CountCustomersAsync(Product.Us);

        await using (await DataSyncAsync(requireEmail: true, "customer", "evangelist"))
        {
            var refused = await OutputsAsync(await _hubSpot.PostAsync(CreateInvoiceAction, Execution(CallbackId(), dealId, new { realmId = Product.Us })));
            Assert.Equal("FAIL_CONTINUE", refused.GetProperty("hs_execution_state").GetString());
            Assert.Contains("lifecycle stage 'lead' is not one of [customer, evangelist]", refused.GetProperty("errorMessage").GetString());
            Assert.Equal(customers, await product.QuickBooks.CountCustomersAsync(Product.Us));

            await product.HubSpot.ChangeContactAsync(contactId, new() { ["lifecyclestage"] = "customer" });
            var created = await OutputsAsync(await _hubSpot.PostAsync(CreateInvoiceAction, Execution(CallbackId(), dealId, new { realmId = Product.Us })));
            Assert.Equal("SUCCESS", created.GetProperty("hs_execution_state").GetString());
            Assert.Equal(customers + 1, await product.QuickBooks.CountCustomersAsync(Product.Us));
        }
    }

    [Fact]
    public async Task The_tenant_settings_are_validated_and_shown()
    {
        var refused = await _api.PutAsJsonAsync("settings", new { invoiceBehaviour = "sometimes" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("neither legacy nor dataSync", await refused.Content.ReadAsStringAsync());
        var twice = await _api.PutAsJsonAsync("settings", new { invoiceBehaviour = "dataSync", contactSync = new { lifecycleStages = new[] { "customer", "Customer" } } });
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Equal("application/problem+json", twice.Content.Headers.ContentType?.MediaType);

        var settings = await Product.OkJsonAsync(await _api.GetAsync("settings"));
        Assert.Equal("Legacy", settings.GetProperty("invoiceBehaviour").GetString());
        Assert.True(settings.GetProperty("contactSync").GetProperty("requireEmail").GetBoolean());
        Assert.Equal(0, settings.GetProperty("contactSync").GetProperty("lifecycleStages").GetArrayLength());
    }

    [Fact]
    public async Task A_line_item_matching_no_QuickBooks_product_fails_the_action_and_nothing_is_created()
    {
        var name = UniqueName();
        var contactId = await product.HubSpot.CreateContactAsync(name.First, name.Last, $"{name.First}@gold.example");
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", contactId, null, ("Widget", 1), ("Gold-plated widget", 1));
        var (invoices, customers) = (await product.QuickBooks.CountInvoicesAsync(Product.Us), await product.QuickBooks.CountCustomersAsync(Product.Us));

        var outputs = await OutputsAsync(await _hubSpot.PostAsync(CreateInvoiceAction, Execution(CallbackId(), dealId, new { realmId = Product.Us })));

        Assert.Equal("FAIL_CONTINUE", outputs.GetProperty("hs_execution_state").GetString());
        Assert.Contains("'Gold-plated widget' (SKU WID-AU)", outputs.GetProperty("errorMessage").GetString());
        Assert.Equal(invoices, await product.QuickBooks.CountInvoicesAsync(Product.Us));
        Assert.Equal(customers, await product.QuickBooks.CountCustomersAsync(Product.Us));
    }

    [Fact]
    public async Task Input_fields_set_wrong_in_the_workflow_fail_the_action_saying_what_to_fix()
    {
        var wrong = await OutputsAsync(await _hubSpot.PostAsync(CreateInvoiceAction, Execution(CallbackId(), "53001", new { realmId = Product.Us, source = "quote", dueDays = "soon" })));
        Assert.Equal("FAIL_CONTINUE", wrong.GetProperty("hs_execution_state").GetString());
        Assert.Contains("source is quote, but quoteId is empty", wrong.GetProperty("errorMessage").GetString());
        Assert.Contains("dueDays 'soon' is not a whole number of days", wrong.GetProperty("errorMessage").GetString());

        // The demo account has two companies: the action must say which.
        var which = await OutputsAsync(await _hubSpot.PostAsync(CreateInvoiceAction, Execution(CallbackId(), "53001", new { })));
        Assert.Equal("FAIL_CONTINUE", which.GetProperty("hs_execution_state").GetString());
        Assert.Contains("say which with realmId", which.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task Without_HubSpot_s_signature_the_action_is_refused_and_does_nothing()
    {
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", "51001", null, ("Widget", 1));
        var before = await product.QuickBooks.CountInvoicesAsync(Product.Us);
        var execution = Execution(CallbackId(), dealId, new { realmId = Product.Us });

        foreach (var signing in new[] { Signing.None, Signing.WrongSecret, Signing.Stale })
        {
            var refused = await _hubSpot.PostAsync(CreateInvoiceAction, execution, signing);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(before, await product.QuickBooks.CountInvoicesAsync(Product.Us));
        var malformed = await _hubSpot.PostAsync(CreateInvoiceAction, new { callbackId = CallbackId(), origin = new { portalId = Product.PortalId }, @object = new { objectId = 1, objectType = "CONTACT" } });
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("deals (DEAL) only", await malformed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task When_QuickBooks_is_slow_the_action_blocks_and_completes_HubSpot_s_callback_with_the_one_invoice()
    {
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", "51001", null, ("Support plan", 1));
        var before = await product.QuickBooks.CountInvoicesAsync(Product.Us);
        var callbackId = CallbackId();

        JsonElement blocked;
        await product.QuickBooks.SetLatencyAsync(2000);
        try
        {
            blocked = await OutputsAsync(await _hubSpot.PostAsync(CreateInvoiceAction, Execution(callbackId, dealId, new { realmId = Product.Us })));
        }
        finally
        {
            await product.QuickBooks.SetLatencyAsync(0);
        }

        Assert.Equal("BLOCK", blocked.GetProperty("hs_execution_state").GetString());
        Assert.Equal("P1D", blocked.GetProperty("hs_expiration_duration").GetString());
        IReadOnlyList<JsonElement> completions = [];
        await Eventually.HoldsAsync(async () => (completions = await product.HubSpot.WorkflowCallbacksAsync(callbackId)).Count > 0, Patience, $"callback {callbackId} was completed");
        var completion = Assert.Single(completions).GetProperty("outputFields");
        Assert.Equal("SUCCESS", completion.GetProperty("hs_execution_state").GetString());
        Assert.Equal(before + 1, await product.QuickBooks.CountInvoicesAsync(Product.Us));
        var invoice = await product.QuickBooks.InvoiceAsync(Product.Us, completion.GetProperty("invoiceId").GetString()!);
        Assert.Equal(completion.GetProperty("invoiceNumber").GetString(), invoice.GetProperty("DocNumber").GetString());

        // HubSpot delivers the execution again: the same invoice, answered at once.
        var again = await OutputsAsync(await _hubSpot.PostAsync(CreateInvoiceAction, Execution(callbackId, dealId, new { realmId = Product.Us })));
        Assert.Equal(completion.GetProperty("invoiceId").GetString(), again.GetProperty("invoiceId").GetString());
        Assert.Equal(before + 1, await product.QuickBooks.CountInvoicesAsync(Product.Us));
    }

    [Fact]
    public async Task The_card_lists_a_deal_s_invoices_with_status_amounts_and_due_date_and_offers_its_actions()
    {
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", "51001", null, ("Consulting hour", 2));
        var dueDate = SandboxToday.AddDays(20);
        var paid = await CreatedInvoiceIdAsync(dealId, dueDate);
        var waiting = await CreatedInvoiceIdAsync(dealId, dueDate);
        var paidInvoice = await product.QuickBooks.InvoiceAsync(Product.Us, paid);
        await product.QuickBooks.PayAsync(Product.Us, paid, paidInvoice.GetProperty("TotalAmt").GetDecimal());
        await Product.OkJsonAsync(await _api.PostAsync($"accounts/{Product.Us}/invoices/{paid}/sync", null));

        JsonElement card = default;
        await Eventually.HoldsAsync(async () =>
        {
            card = await Product.OkJsonAsync(await _hubSpot.GetAsync(CardQuery("DEAL", dealId)));
            return card.GetProperty("results").EnumerateArray().Any(r => Property(r, "Status").GetProperty("value").GetString() == "Paid in full");
        }, Patience, "the card shows the paid invoice as paid");

        var results = card.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        var paidResult = results.Single(r => r.GetProperty("objectId").GetInt64() == long.Parse(paid, CultureInfo.InvariantCulture));
        var waitingResult = results.Single(r => r.GetProperty("objectId").GetInt64() == long.Parse(waiting, CultureInfo.InvariantCulture));
        Assert.Equal($"Invoice {paidInvoice.GetProperty("DocNumber").GetString()}", paidResult.GetProperty("title").GetString());
        Assert.Equal($"https://app.qbo.intuit.com/app/invoice?txnId={paid}", paidResult.GetProperty("link").GetString());
        Assert.Equal(("STATUS", "Paid in full", "SUCCESS"), Status(paidResult));
        Assert.Equal(("STATUS", "Waiting to be sent", "DEFAULT"), Status(waitingResult));

        var amount = Property(paidResult, "Amount");
        Assert.Equal("CURRENCY", amount.GetProperty("dataType").GetString());
        Assert.Equal("USD", amount.GetProperty("currencyCode").GetString());
        Assert.Equal(paidInvoice.GetProperty("TotalAmt").GetDecimal().ToString("0.00", CultureInfo.InvariantCulture), amount.GetProperty("value").GetString());
        Assert.Equal("0.00", Property(paidResult, "Balance").GetProperty("value").GetString());
        Assert.Equal(amount.GetProperty("value").GetString(), Property(waitingResult, "Balance").GetProperty("value").GetString());
        var due = Property(waitingResult, "Due date");
        Assert.Equal(("DATE", dueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), (due.GetProperty("dataType").GetString(), due.GetProperty("value").GetString()));
        Assert.Equal("STRING", Property(waitingResult, "Number").GetProperty("dataType").GetString());

        // The demo account has two companies: "Create invoice" into each, and "Add existing invoice".
        var primary = card.GetProperty("primaryAction");
        Assert.Equal(("ACTION_HOOK", "POST"), (primary.GetProperty("type").GetString(), primary.GetProperty("httpMethod").GetString()));
        Assert.StartsWith("Create invoice", primary.GetProperty("label").GetString());
        Assert.Contains($"/hubspot/card-actions/create-invoice?portalId={Product.PortalId}&dealId={dealId}&realmId=", primary.GetProperty("uri").GetString());
        var secondary = card.GetProperty("secondaryActions").EnumerateArray().ToList();
        var add = secondary.Single(a => a.GetProperty("type").GetString() == "IFRAME");
        Assert.Equal("Add existing invoice", add.GetProperty("label").GetString());
        Assert.Contains("token=", add.GetProperty("uri").GetString());
    }

    [Fact]
    public async Task A_card_request_without_HubSpot_s_signature_or_with_unknown_parameters_is_refused()
    {
        var unsigned = await _hubSpot.GetAsync(CardQuery("DEAL", "53001"), Signing.None);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _hubSpot.GetAsync(CardQuery("DEAL", "53001"), Signing.WrongSecret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _hubSpot.GetAsync(CardQuery("DEAL", "53001"), Signing.V2)).StatusCode);

        var ticket = await _hubSpot.GetAsync(CardQuery("TICKET", "53001"));
        Assert.Equal(HttpStatusCode.BadRequest, ticket.StatusCode);
        Assert.Equal("application/problem+json", ticket.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await _hubSpot.GetAsync($"hubspot/crm-card?associatedObjectType=DEAL&portalId={Product.PortalId}")).StatusCode);
    }

    [Fact]
    public async Task The_card_s_create_action_makes_an_invoice_from_the_deal_and_the_card_then_lists_it()
    {
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", "51001", null, ("Widget", 1));
        var card = await Product.OkJsonAsync(await _hubSpot.GetAsync(CardQuery("DEAL", dealId)));
        Assert.Equal(0, card.GetProperty("results").GetArrayLength());
        var create = card.GetProperty("primaryAction").GetProperty("uri").GetString()!;

        var answer = await Product.OkJsonAsync(await _hubSpot.PostAsync(new Uri(create).PathAndQuery.TrimStart('/'), new { associatedObjectId = dealId, associatedObjectType = "DEAL", portalId = Product.PortalId }));
        Assert.Contains("for Ada Lovelace", answer.GetProperty("message").GetString());
        var invoicesAfterOne = await product.QuickBooks.CountInvoicesAsync(Product.Us);

        // A second click on the same button is the same request: no second invoice.
        var again = await Product.OkJsonAsync(await _hubSpot.PostAsync(new Uri(create).PathAndQuery.TrimStart('/'), new { associatedObjectId = dealId, associatedObjectType = "DEAL", portalId = Product.PortalId }));
        Assert.Equal(answer.GetProperty("message").GetString(), again.GetProperty("message").GetString());
        Assert.Equal(invoicesAfterOne, await product.QuickBooks.CountInvoicesAsync(Product.Us));

        var refused = await _hubSpot.PostAsync($"hubspot/card-actions/create-invoice?portalId={Product.PortalId}&dealId={dealId}&realmId=404", new { });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("is not connected", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());

        var listed = await Product.OkJsonAsync(await _hubSpot.GetAsync(CardQuery("DEAL", dealId)));
        Assert.Equal(1, listed.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task The_add_existing_invoice_page_finds_an_invoice_and_adds_it_to_a_contact_with_the_card_s_token_only()
    {
        var contactId = await product.HubSpot.CreateContactAsync("Grace", "Hopper", $"grace.{Guid.NewGuid():N}@example.com");
        var card = await Product.OkJsonAsync(await _hubSpot.GetAsync(CardQuery("CONTACT", contactId)));
        Assert.False(card.TryGetProperty("primaryAction", out _), "invoices are created from deals only");
        var page = new Uri(card.GetProperty("secondaryActions").EnumerateArray().Single().GetProperty("uri").GetString()!);
        using var browser = new HttpClient();

        var form = await browser.GetAsync(page);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Equal("text/html", form.Content.Headers.ContentType?.MediaType);
        Assert.Contains("frame-ancestors", form.Headers.GetValues("Content-Security-Policy").Single());

        var results = await (await browser.GetAsync($"{page}&realmId={Product.Us}&number=1001&search=1")).Content.ReadAsStringAsync();
        Assert.Contains("<td>1001</td>", results);
        Assert.Contains("name=\"invoiceId\" value=\"", results);
        var invoiceId = results.Split("name=\"invoiceId\" value=\"")[1].Split('"')[0];

        var query = System.Web.HttpUtility.ParseQueryString(page.Query);
        var fields = new Dictionary<string, string>
        {
            ["portalId"] = query["portalId"]!, ["objectType"] = query["objectType"]!, ["objectId"] = query["objectId"]!, ["token"] = query["token"]!,
            ["realmId"] = Product.Us, ["invoiceId"] = invoiceId,
        };
        var added = await (await browser.PostAsync(new Uri(page, "add-invoice"), new FormUrlEncodedContent(fields))).Content.ReadAsStringAsync();
        Assert.Contains("was added to the contact", added);
        Assert.Contains("""window.parent.postMessage(JSON.stringify({"action":"DONE"}),"*")""", added);
        var linked = await Product.OkJsonAsync(await _api.GetAsync($"contacts/{contactId}/invoices"));
        Assert.Equal("1001", linked.GetProperty("invoices").EnumerateArray().Single().GetProperty("invoice").GetProperty("snapshot").GetProperty("docNumber").GetString());

        // The token is for this contact alone.
        var otherContact = await product.HubSpot.CreateContactAsync("Alan", "Kay", $"alan.{Guid.NewGuid():N}@example.com");
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync(page.AbsoluteUri.Replace($"objectId={contactId}", $"objectId={otherContact}", StringComparison.Ordinal))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync($"{page.GetLeftPart(UriPartial.Path)}?portalId={Product.PortalId}&objectType=contacts&objectId={contactId}")).StatusCode);
    }

    public void Dispose()
    {
        _api.Dispose();
        foreach (var line in product.Logs.Lines)
            output.WriteLine(line);
    }

    private static string CallbackId() => $"ap-{Product.PortalId}-{Random.Shared.NextInt64(1_000_000_000, 9_999_999_999)}-1-0";

    private static (string First, string Last) UniqueName() => ($"Wren{Guid.NewGuid():N}"[..12], "Okafor");

    private static string CardQuery(string objectType, string objectId)
        => $"hubspot/crm-card?userId=123&userEmail=ada%40example.com&associatedObjectId={objectId}&associatedObjectType={objectType}&portalId={Product.PortalId}";

    private static JsonElement Property(JsonElement result, string label)
        => result.GetProperty("properties").EnumerateArray().Single(p => p.GetProperty("label").GetString() == label);

    private static (string?, string?, string?) Status(JsonElement result)
    {
        var status = Property(result, "Status");
        return (status.GetProperty("dataType").GetString(), status.GetProperty("value").GetString(), status.GetProperty("optionType").GetString());
    }

    private static async Task<JsonElement> OutputsAsync(HttpResponseMessage response)
        => (await Product.OkJsonAsync(response)).GetProperty("outputFields");

    private async Task<string> CreatedInvoiceIdAsync(string dealId, DateOnly dueDate)
    {
        var created = await Product.OkJsonAsync(await _api.PostAsJsonAsync($"deals/{dealId}/invoices", new { realmId = Product.Us, source = "scratch", dueDate = dueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }));
        return created.GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString()!;
    }

    /// <summary>Data-sync for the length of a test; legacy again afterwards.</summary>
    private async Task<IAsyncDisposable> DataSyncAsync(bool requireEmail, params string[] lifecycleStages)
    {
        var set = await Product.OkJsonAsync(await _api.PutAsJsonAsync("settings", new { invoiceBehaviour = "dataSync", contactSync = new { requireEmail, lifecycleStages } }));
        Assert.Equal("DataSync", set.GetProperty("invoiceBehaviour").GetString());
        return new Restore(_api);
    }

    private sealed class Restore(HttpClient api) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await Product.OkJsonAsync(await api.PutAsJsonAsync("settings", new { invoiceBehaviour = "legacy" }));
    }
}

public sealed class SingleProcessWorkflowActionAndCardTests(SingleProcessProduct product, ITestOutputHelper output)
    : WorkflowActionAndCardScenarios(product, output), IClassFixture<SingleProcessProduct>;

[Collection(PostgresCollection.Name)]
public sealed class ClusterWorkflowActionAndCardTests(ClusterProduct product, ITestOutputHelper output)
    : WorkflowActionAndCardScenarios(product, output), IClassFixture<ClusterProduct>;
