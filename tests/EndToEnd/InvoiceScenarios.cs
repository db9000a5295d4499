using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansSync.Grains.Deals;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;
using static OrleansSync.Tests.EndToEnd.HubSpotRecords;

namespace OrleansSync.Tests.EndToEnd;

/// <summary>
/// Invoices from deals, end to end through the sandbox (F1–F11, B1, B6): what a HubSpot user does and sees, run once
/// against the single-process default and once against three silos on PostgreSQL.
/// </summary>
public abstract class InvoiceScenarios(Product product, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly string[] InvoiceProperties = [DealProperties.AmountBilled, DealProperties.Recipient, DealProperties.Number, DealProperties.Status, DealProperties.DueDate];
    private readonly HttpClient _api = product.AdminApi();

    protected Product Product => product;

    private DateOnly SandboxToday => DateOnly.FromDateTime(product.Clock.GetUtcNow().UtcDateTime);

    [Fact]
    public async Task A_published_quote_becomes_a_draft_invoice_and_the_deal_shows_it()
    {
        var (dealId, contactId) = await DealForAdaAsync(("Implementation", 1), ("Consulting hour", 4));
        var quoteId = await product.HubSpot.CreateQuoteAsync(dealId, contactId, QuoteState.Published, SandboxToday, ("Implementation", 1), ("Consulting hour", 10));

        var response = await CreateAsync(dealId, new { realmId = Product.Us, source = "quote", quoteId, termId = "3", message = "Thank you for your business." });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await Product.OkJsonAsync(response);
        var snapshot = created.GetProperty("invoice").GetProperty("snapshot");
        Assert.Equal("WaitingToBeSent", created.GetProperty("invoice").GetProperty("status").GetString());
        Assert.Equal(7500m, snapshot.GetProperty("totalAmt").GetDecimal()); // the quote's lines, not the deal's
        Assert.Equal("Ada Lovelace", snapshot.GetProperty("customerName").GetString());
        Assert.Contains(Decisions(created), d => d.Contains("matched by email ada@analytical.example", StringComparison.Ordinal));

        var invoice = await product.QuickBooks.InvoiceAsync(Product.Us, snapshot.GetProperty("invoiceId").GetString()!);
        Assert.Equal("NotSet", invoice.GetProperty("EmailStatus").GetString());
        Assert.Equal("Thank you for your business.", invoice.GetProperty("CustomerMemo").GetProperty("value").GetString());
        var properties = await WaitForDealPropertiesAsync(dealId, p => p[DealProperties.Status] == "waiting_to_be_sent");
        Assert.Equal(snapshot.GetProperty("docNumber").GetString(), properties[DealProperties.Number]);
        Assert.Equal("7500.00", properties[DealProperties.AmountBilled]);
        Assert.Equal("Ada Lovelace", properties[DealProperties.Recipient]);
        Assert.Equal(snapshot.GetProperty("dueDate").GetString(), properties[DealProperties.DueDate]);
    }

    [Fact]
    public async Task Installing_created_our_property_group_and_the_five_invoice_properties_on_deals()
    {
        foreach (var name in InvoiceProperties)
        {
            var property = await product.HubSpot.DealPropertyAsync(name);
            Assert.True(property is not null, $"deal property {name} is missing");
            Assert.Equal(DealProperties.GroupName, property.Value.GetProperty("groupName").GetString());
        }

        Assert.Equal("date", (await product.HubSpot.DealPropertyAsync(DealProperties.DueDate))!.Value.GetProperty("type").GetString());
        var tenant = await Product.OkJsonAsync(await _api.GetAsync(""));
        Assert.True(tenant.GetProperty("propertiesReady").GetBoolean());
        Assert.Equal("USD", tenant.GetProperty("companyCurrency").GetString());
    }

    [Fact]
    public async Task From_scratch_the_deal_line_items_are_matched_to_QuickBooks_items()
    {
        var (dealId, _) = await DealForAdaAsync(("Widget", 3), ("Support plan", 1));

        var created = await Product.OkJsonAsync(await CreateAsync(dealId, new { realmId = Product.Us, source = "scratch" }));

        Assert.Equal(1275m, created.GetProperty("invoice").GetProperty("snapshot").GetProperty("totalAmt").GetDecimal());
        Assert.Contains(Decisions(created), d => d.Contains("'Widget' → QuickBooks item 4", StringComparison.Ordinal) && d.Contains("SKU WID-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Expired_and_draft_quotes_and_unknown_products_are_refused_and_nothing_is_created()
    {
        var (dealId, contactId) = await DealForAdaAsync(("Implementation", 1));
        var expired = await product.HubSpot.CreateQuoteAsync(dealId, contactId, QuoteState.Expired, SandboxToday, ("Implementation", 1));
        var draft = await product.HubSpot.CreateQuoteAsync(dealId, contactId, QuoteState.Draft, SandboxToday, ("Implementation", 1));
        var (goldDeal, _) = await DealForAdaAsync(("Gold-plated widget", 1));
        var before = await product.QuickBooks.CountInvoicesAsync(Product.Us);

        var expiredProblem = await ProblemAsync(await CreateAsync(dealId, new { realmId = Product.Us, source = "quote", quoteId = expired }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("expired on", expiredProblem.Detail);
        var draftProblem = await ProblemAsync(await CreateAsync(dealId, new { realmId = Product.Us, source = "quote", quoteId = draft }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("only a published quote", draftProblem.Detail);
        var goldProblem = await ProblemAsync(await CreateAsync(goldDeal, new { realmId = Product.Us, source = "scratch" }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("'Gold-plated widget' (SKU WID-AU)", goldProblem.Detail);

        Assert.Equal(before, await product.QuickBooks.CountInvoicesAsync(Product.Us));
    }

    [Fact]
    public async Task Outside_the_US_every_line_needs_a_tax_code_and_the_refusal_names_the_lines()
    {
        var (dealId, _) = await DealForAdaAsync(("Implementation", 1), ("Widget", 2));
        var before = await product.QuickBooks.CountInvoicesAsync(Product.Uk);

        var refused = await ProblemAsync(await CreateAsync(dealId, new { realmId = Product.Uk, source = "scratch" }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["line 1 (Implementation)", "line 2 (Widget)"], refused.Items);
        Assert.Equal(before, await product.QuickBooks.CountInvoicesAsync(Product.Uk));

        var created = await Product.OkJsonAsync(await CreateAsync(dealId, new { realmId = Product.Uk, source = "scratch", taxCodeId = "2" }));
        var invoice = await product.QuickBooks.InvoiceAsync(Product.Uk, created.GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString()!);
        Assert.Equal(1210m, invoice.GetProperty("TxnTaxDetail").GetProperty("TotalTax").GetDecimal()); // 20% VAT on the lines, 6,050
    }

    [Fact]
    public async Task With_custom_transaction_numbers_on_nothing_is_created_and_the_user_is_told_to_turn_them_off()
    {
        var (dealId, _) = await DealForAdaAsync(("Widget", 1));
        var before = await product.QuickBooks.CountInvoicesAsync(Product.Us);
        await product.QuickBooks.SetCustomTransactionNumbersAsync(Product.Us, true);
        try
        {
            var refused = await ProblemAsync(await CreateAsync(dealId, new { realmId = Product.Us, source = "scratch" }), HttpStatusCode.Conflict);
            Assert.Contains("Turn the setting off", refused.Detail);
            Assert.Equal(before, await product.QuickBooks.CountInvoicesAsync(Product.Us));
        }
        finally
        {
            await product.QuickBooks.SetCustomTransactionNumbersAsync(Product.Us, false);
        }

        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(dealId, new { realmId = Product.Us, source = "scratch" })).StatusCode);
    }

    [Fact]
    public async Task A_display_name_taken_in_QuickBooks_gets_a_number_rather_than_failing()
    {
        // "Jordan Smith" is an employee of the demo company: no customer may take the name.
        var contactId = await product.HubSpot.CreateContactAsync("Jordan", "Smith", $"jordan.{Guid.NewGuid():N}@example.com");
        var dealId = await product.HubSpot.CreateDealAsync("Jordan's widgets", contactId, null, ("Widget", 1));

        var noMatch = await ProblemAsync(await CreateAsync(dealId, new { realmId = Product.Us, source = "scratch" }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("customer.mode create", noMatch.Detail);

        var created = await Product.OkJsonAsync(await CreateAsync(dealId, new { realmId = Product.Us, source = "scratch", customer = new { mode = "create" } }));
        Assert.Equal("Jordan Smith (2)", created.GetProperty("invoice").GetProperty("snapshot").GetProperty("customerName").GetString());
        Assert.Contains(Decisions(created), d => d.Contains("'Jordan Smith' is taken", StringComparison.Ordinal));

        // Or the user picks an existing customer.
        var picked = await Product.OkJsonAsync(await CreateAsync(dealId, new { realmId = Product.Us, source = "scratch", customer = new { mode = "existing", id = "2" } }));
        Assert.Equal("Grace Hopper", picked.GetProperty("invoice").GetProperty("snapshot").GetProperty("customerName").GetString());
        var unknown = await ProblemAsync(await CreateAsync(dealId, new { realmId = Product.Us, source = "scratch", customer = new { mode = "existing", id = "999" } }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("no customer 999", unknown.Detail);
    }

    [Fact]
    public async Task Sending_and_payments_in_QuickBooks_move_the_status_and_the_deal_follows()
    {
        var (dealId, _) = await DealForAdaAsync(("Consulting hour", 2));
        var invoiceId = await CreatedInvoiceIdAsync(dealId, Product.Us);

        await product.QuickBooks.SendAsync(Product.Us, invoiceId);
        Assert.Equal("SentToCustomer", await SyncAsync(Product.Us, invoiceId));
        await WaitForDealPropertiesAsync(dealId, p => p[DealProperties.Status] == "sent_to_customer");

        // A new due date moves the overdue check with it.
        var newDueDate = SandboxToday.AddDays(45);
        await product.QuickBooks.ChangeInvoiceAsync(Product.Us, invoiceId, new { DueDate = newDueDate.ToString("yyyy-MM-dd") });
        await SyncAsync(Product.Us, invoiceId);
        var moved = await Product.OkJsonAsync(await _api.GetAsync($"accounts/{Product.Us}/invoices/{invoiceId}"));
        Assert.Equal(newDueDate.AddDays(1), DateOnly.FromDateTime(moved.GetProperty("overdueCheckAt").GetDateTimeOffset().DateTime));

        await product.QuickBooks.PayAsync(Product.Us, invoiceId, 100m);
        Assert.Equal("PartialPayment", await SyncAsync(Product.Us, invoiceId));
        await WaitForDealPropertiesAsync(dealId, p => p[DealProperties.Status] == "partial_payment");

        await product.QuickBooks.PayAsync(Product.Us, invoiceId, 200m);
        Assert.Equal("PaidInFull", await SyncAsync(Product.Us, invoiceId));
        await WaitForDealPropertiesAsync(dealId, p => p[DealProperties.Status] == "paid_in_full");

        // Paid: nothing can make it overdue any more. B1: every change with its cause, before and after — the payments too,
        // once their webhooks are in.
        var view = await Eventually.ValueAsync(
            async () => await Product.OkJsonAsync(await _api.GetAsync($"accounts/{Product.Us}/invoices/{invoiceId}")),
            v => v.GetProperty("history").EnumerateArray().Count(h => h.GetProperty("what").GetString()!.StartsWith("Payment ", StringComparison.Ordinal)) == 2,
            Patience,
            "both payments are in the invoice's history");
        Assert.Equal(JsonValueKind.Null, view.GetProperty("overdueCheckAt").ValueKind);
        // Each change came once, by whichever came first: the operator's sync or QuickBooks' webhook.
        var history = view.GetProperty("history").EnumerateArray().ToList();
        var changes = history.Where(h => h.GetProperty("changes").GetArrayLength() > 0).ToList();
        Assert.Equal(5, changes.Count);
        Assert.Equal("request", changes[0].GetProperty("cause").GetProperty("kind").GetString());
        Assert.All(changes.Skip(1), h => Assert.Contains(h.GetProperty("cause").GetProperty("kind").GetString(), new[] { "operator", "webhook" }));
        Assert.Equal(2, history.Count(h => h.GetProperty("what").GetString()!.StartsWith("Payment ", StringComparison.Ordinal)));
        var paid = changes[^1].GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("field").GetString() == "Balance");
        Assert.Equal(("200.00", "0.00"), (paid.GetProperty("before").GetString(), paid.GetProperty("after").GetString()));
    }

    [Fact]
    public async Task Past_its_due_date_an_unpaid_invoice_becomes_overdue_without_any_webhook()
    {
        var (dealId, _) = await DealForAdaAsync(("Widget", 4));
        var dueDate = SandboxToday.AddDays(2);
        var invoiceId = await CreatedInvoiceIdAsync(dealId, Product.Us, dueDate: dueDate.ToString("yyyy-MM-dd"));
        var view = await Product.OkJsonAsync(await _api.GetAsync($"accounts/{Product.Us}/invoices/{invoiceId}"));
        Assert.NotEqual(JsonValueKind.Null, view.GetProperty("overdueCheckAt").ValueKind);

        product.Clock.Advance(TimeSpan.FromDays(4));

        await Eventually.HoldsAsync(async () => (await Product.OkJsonAsync(await _api.GetAsync($"accounts/{Product.Us}/invoices/{invoiceId}"))).GetProperty("summary").GetProperty("status").GetString() == "Overdue", Patience, "the invoice fell overdue");
        await WaitForDealPropertiesAsync(dealId, p => p[DealProperties.Status] == "overdue");
        var history = (await Product.OkJsonAsync(await _api.GetAsync($"accounts/{Product.Us}/invoices/{invoiceId}"))).GetProperty("history").EnumerateArray().Last();
        Assert.Equal("reminder", history.GetProperty("cause").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task With_two_invoices_the_deal_follows_the_one_most_recently_updated_in_QuickBooks()
    {
        var (dealId, _) = await DealForAdaAsync(("Widget", 1));
        var first = await CreatedInvoiceIdAsync(dealId, Product.Us);
        var second = await CreatedInvoiceIdAsync(dealId, Product.Us);
        var secondNumber = (await product.QuickBooks.InvoiceAsync(Product.Us, second)).GetProperty("DocNumber").GetString();
        await WaitForDealPropertiesAsync(dealId, p => p[DealProperties.Number] == secondNumber);

        await product.QuickBooks.PayAsync(Product.Us, first, 25m);
        await SyncAsync(Product.Us, first);

        var firstNumber = (await product.QuickBooks.InvoiceAsync(Product.Us, first)).GetProperty("DocNumber").GetString();
        var properties = await WaitForDealPropertiesAsync(dealId, p => p[DealProperties.Number] == firstNumber);
        Assert.Equal("paid_in_full", properties[DealProperties.Status]);
        var deal = await Product.OkJsonAsync(await _api.GetAsync($"deals/{dealId}"));
        Assert.Equal(2, deal.GetProperty("invoices").GetArrayLength());
        Assert.Equal($"{Product.Us}/{first}", deal.GetProperty("propertiesFollow").GetString());
    }

    [Fact]
    public async Task An_invoice_in_another_currency_stays_linked_and_leaves_the_deal_untouched()
    {
        // Alan Turing is a customer of the UK company, in pounds; the HubSpot account's currency is dollars.
        var dealId = await product.HubSpot.CreateDealAsync("Bletchley widgets", "51003", null, ("Widget", 2));

        await CreatedInvoiceIdAsync(dealId, Product.Uk, taxCodeId: "2");

        var deal = await Product.OkJsonAsync(await _api.GetAsync($"deals/{dealId}"));
        Assert.Equal(1, deal.GetProperty("invoices").GetArrayLength());
        Assert.Contains("is in GBP", deal.GetProperty("propertiesNote").GetString());
        Assert.Equal(JsonValueKind.Null, deal.GetProperty("writtenProperties").ValueKind);
        var properties = await product.HubSpot.DealPropertiesAsync(dealId, InvoiceProperties);
        Assert.All(InvoiceProperties, name => Assert.True(string.IsNullOrEmpty(properties.GetValueOrDefault(name)), $"{name} was written"));
    }

    [Fact]
    public async Task The_same_Idempotency_Key_three_times_makes_one_invoice()
    {
        var (dealId, _) = await DealForAdaAsync(("Support plan", 1));
        var before = await product.QuickBooks.CountInvoicesAsync(Product.Us);
        var key = Guid.NewGuid().ToString();
        var body = new { realmId = Product.Us, source = "scratch" };

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
            answers.Add(await CreateAsync(dealId, body, key));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var ids = await Task.WhenAll(answers.Select(async a => (await Product.OkJsonAsync(a)).GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString()));
        Assert.Single(ids.Distinct());
        Assert.Equal([false, true, true], answers.Select(a => a.Headers.Contains("Idempotent-Replayed")));
        Assert.Equal(before + 1, await product.QuickBooks.CountInvoicesAsync(Product.Us));

        var reused = await ProblemAsync(await CreateAsync(dealId, new { realmId = Product.Us, source = "scratch", message = "different" }, key), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("different request", reused.Detail);
    }

    [Fact]
    public async Task Tokens_that_expired_are_refreshed_and_work_goes_on()
    {
        var (dealId, _) = await DealForAdaAsync(("Widget", 1));

        // Two hours pass: every access token (HubSpot 30 minutes, QuickBooks an hour) has expired.
        var later = product.Clock.Advance(TimeSpan.FromHours(2));

        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(dealId, new { realmId = Product.Us, source = "scratch" })).StatusCode);
        await Eventually.HoldsAsync(async () =>
        {
            var tenant = await Product.OkJsonAsync(await _api.GetAsync(""));
            return tenant.GetProperty("hubSpot").GetProperty("accessTokenExpiresAt").GetDateTimeOffset() > later
                && tenant.GetProperty("accounts").EnumerateArray().All(a => a.GetProperty("connection").GetProperty("state").GetString() == "Connected"
                    && a.GetProperty("connection").GetProperty("accessTokenExpiresAt").GetDateTimeOffset() > later);
        }, Patience, "every token was refreshed (on use, or by its reminder)");
    }

    [Fact]
    public async Task A_disconnected_or_broken_company_blocks_its_work_with_the_reason_until_connected_again()
    {
        var (dealId, _) = await DealForAdaAsync(("Widget", 1));
        var body = new { realmId = Product.Uk, source = "scratch", taxCodeId = "2" };
        try
        {
            // Disconnected here: the tokens are revoked at Intuit.
            var disconnected = await Product.OkJsonAsync(await _api.DeleteAsync($"accounts/{Product.Uk}"));
            Assert.Equal("Disconnected", disconnected.GetProperty("connection").GetProperty("state").GetString());
            var blocked = await ProblemAsync(await CreateAsync(dealId, body), HttpStatusCode.Conflict);
            Assert.Contains($"QuickBooks company {Product.Uk} is not connected", blocked.Detail);
            Assert.Equal(HttpStatusCode.Created, (await CreateAsync(dealId, new { realmId = Product.Us, source = "scratch" })).StatusCode);

            // Connected again, then disconnected from QuickBooks' side: the next call finds the connection broken, and says why.
            await product.ConnectAsync(Product.Uk);
            await product.QuickBooks.DisconnectAppAsync(Product.Uk);
            product.Clock.Advance(TimeSpan.FromMinutes(61));
            var broken = await ProblemAsync(await CreateAsync(dealId, body), HttpStatusCode.Conflict);
            Assert.Contains("refused the refresh token", broken.Detail);
            var accounts = await Product.OkJsonAsync(await _api.GetAsync("accounts"));
            var uk = accounts.EnumerateArray().Single(a => a.GetProperty("realmId").GetString() == Product.Uk).GetProperty("connection");
            Assert.Equal("Broken", uk.GetProperty("state").GetString());
            Assert.Contains("Connect the company again", uk.GetProperty("reason").GetString());
        }
        finally
        {
            await product.ConnectAsync(Product.Uk);
        }

        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(dealId, body)).StatusCode);
    }

    [Fact]
    public async Task A_tenant_key_sees_its_own_tenant_and_never_another()
    {
        using var own = product.ApiClient(Product.TenantKey);
        using var other = product.ApiClient(Product.OtherTenantKey);

        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync("")).StatusCode);
        var refused = await ProblemAsync(await other.GetAsync(""), HttpStatusCode.Forbidden);
        Assert.Contains("another HubSpot account", refused.Detail);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync("deals/53001")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PostAsync("deals/53001/invoices", JsonContent.Create(new { source = "scratch" }))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync("/api/cluster/silos")).StatusCode);

        var seenByOther = await Product.OkJsonAsync(await other.GetAsync("/api/tenants"));
        Assert.Equal(0, seenByOther.GetArrayLength());
        var seenByOwn = await Product.OkJsonAsync(await own.GetAsync("/api/tenants"));
        Assert.Equal(Product.PortalId, seenByOwn.EnumerateArray().Single().GetProperty("portalId").GetInt64());
    }

    [Fact]
    public async Task An_invoice_made_in_QuickBooks_is_found_added_to_a_contact_listed_and_removed()
    {
        // The demo company's own invoice 1001, made in QuickBooks for Grace Hopper.
        var found = await Product.OkJsonAsync(await _api.GetAsync($"accounts/{Product.Us}/invoices?number=1001"));
        var invoiceId = found.EnumerateArray().Single().GetProperty("invoiceId").GetString();
        var contactId = await product.HubSpot.CreateContactAsync("Grace", "Hopper", $"grace.{Guid.NewGuid():N}@example.com");
        var byCustomer = await Product.OkJsonAsync(await _api.GetAsync($"accounts/{Product.Us}/invoices?customer=Hopper"));
        Assert.Contains(byCustomer.EnumerateArray(), i => i.GetProperty("invoiceId").GetString() == invoiceId);

        await Product.OkJsonAsync(await _api.PostAsJsonAsync($"contacts/{contactId}/invoices/links", new { realmId = Product.Us, invoiceId }));
        var listed = await Product.OkJsonAsync(await _api.GetAsync($"contacts/{contactId}/invoices"));
        var linked = listed.GetProperty("invoices").EnumerateArray().Single();
        Assert.Equal("1001", linked.GetProperty("invoice").GetProperty("snapshot").GetProperty("docNumber").GetString());

        await Product.OkJsonAsync(await _api.DeleteAsync($"contacts/{contactId}/invoices/links/{Product.Us}/{invoiceId}"));
        Assert.Equal(0, (await Product.OkJsonAsync(await _api.GetAsync($"contacts/{contactId}/invoices"))).GetProperty("invoices").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync($"products/1/invoices")).StatusCode);
    }

    [Fact]
    public async Task Bad_requests_get_problem_details_that_say_what_is_wrong()
    {
        var malformed = await ProblemAsync(await _api.PostAsync("deals/53001/invoices", new StringContent("{\"source\": ", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Equal("Malformed JSON", malformed.Title);

        var badFields = await ProblemAsync(await CreateAsync("53001", new { source = "invoice", invoiceDate = "21/11/2026", lines = new[] { new { itemId = "2" } } }), HttpStatusCode.BadRequest);
        Assert.Contains("source 'invoice' is neither", badFields.Detail);
        Assert.Contains("invoiceDate '21/11/2026' is not a date", badFields.Detail);
        Assert.Contains("lines[0].quantity is required", badFields.Detail);

        var which = await ProblemAsync(await CreateAsync("53001", new { source = "scratch" }), HttpStatusCode.BadRequest);
        Assert.Contains("say which with realmId", which.Detail);

        var missingQuote = await ProblemAsync(await CreateAsync("53001", new { realmId = Product.Us, source = "quote", quoteId = "999999" }), HttpStatusCode.NotFound);
        Assert.Contains("999999", missingQuote.Detail);
    }

    public void Dispose()
    {
        _api.Dispose();
        foreach (var line in product.Logs.Lines)
            output.WriteLine(line);
    }

    protected Task<HttpResponseMessage> CreateAsync(string dealId, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"deals/{dealId}/invoices") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return _api.SendAsync(request);
    }

    protected async Task<string> CreatedInvoiceIdAsync(string dealId, string realmId, string? dueDate = null, string? taxCodeId = null)
    {
        var created = await Product.OkJsonAsync(await CreateAsync(dealId, new { realmId, source = "scratch", dueDate, taxCodeId }));
        return created.GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString()!;
    }

    /// <summary>A new deal for Ada Lovelace, who is customer 1 of the US company (matched by her email).</summary>
    protected async Task<(string DealId, string ContactId)> DealForAdaAsync(params (string Product, int Quantity)[] lines)
    {
        const string contactId = "51001"; // the demo portal's Ada Lovelace; emails are unique in HubSpot
        return (await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", contactId, null, lines), contactId);
    }

    private async Task<string?> SyncAsync(string realmId, string invoiceId)
        => (await Product.OkJsonAsync(await _api.PostAsync($"accounts/{realmId}/invoices/{invoiceId}/sync", null))).GetProperty("status").GetString();

    private async Task<IReadOnlyDictionary<string, string?>> WaitForDealPropertiesAsync(string dealId, Func<IReadOnlyDictionary<string, string?>, bool> condition)
    {
        IReadOnlyDictionary<string, string?> properties = new Dictionary<string, string?>();
        await Eventually.HoldsAsync(async () =>
        {
            properties = await product.HubSpot.DealPropertiesAsync(dealId, InvoiceProperties);
            return condition(new DefaultingDictionary(properties));
        }, Patience, $"deal {dealId}'s invoice properties are as expected");
        return new DefaultingDictionary(properties);
    }

    private static IReadOnlyList<string> Decisions(JsonElement created) => created.GetProperty("decisions").EnumerateArray().Select(d => d.GetString()!).ToList();

    private sealed record ProblemBody(string Title, string Detail, IReadOnlyList<string>? Items);

    private static async Task<ProblemBody> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        var items = body.TryGetProperty("items", out var list) ? list.EnumerateArray().Select(i => i.GetString()!).ToList() : null;
        return new ProblemBody(body.GetProperty("title").GetString()!, body.GetProperty("detail").GetString()!, items);
    }

    /// <summary>Properties never set read as absent; this reads them as null.</summary>
    private sealed class DefaultingDictionary(IReadOnlyDictionary<string, string?> inner) : IReadOnlyDictionary<string, string?>
    {
        public string? this[string key] => inner.GetValueOrDefault(key);

        public IEnumerable<string> Keys => inner.Keys;

        public IEnumerable<string?> Values => inner.Values;

        public int Count => inner.Count;

        public bool ContainsKey(string key) => inner.ContainsKey(key);

        public bool TryGetValue(string key, out string? value) => inner.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<string, string?>> GetEnumerator() => inner.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

public sealed class SingleProcessInvoiceTests(SingleProcessProduct product, ITestOutputHelper output)
    : InvoiceScenarios(product, output), IClassFixture<SingleProcessProduct>;

[Collection(PostgresCollection.Name)]
public sealed class ClusterInvoiceTests(ClusterProduct product, ITestOutputHelper output)
    : InvoiceScenarios(product, output), IClassFixture<ClusterProduct>
{
    [Fact]
    public async Task Tokens_are_kept_encrypted_in_the_database()
    {
        await using var database = Npgsql.NpgsqlDataSource.Create(product.Database);
        await using var command = database.CreateCommand("SELECT grain_key, payload::text FROM grain_state WHERE state_name = 'tokens'");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string Key, JsonElement Tokens)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), JsonDocument.Parse(reader.GetString(1)).RootElement));

        // The HubSpot account and both companies; QuickBooks' access tokens start "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.".
        Assert.Equal(3, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.StartsWith("CfDJ8", row.Tokens.GetProperty("protectedAccessToken").GetString());
            Assert.StartsWith("CfDJ8", row.Tokens.GetProperty("protectedRefreshToken").GetString());
            Assert.DoesNotContain("eyJlbmMiOiJBMTI4Q0JDLUhTMjU2In0.", row.Tokens.GetRawText(), StringComparison.Ordinal);
        });
    }
}
