using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Clients.QuickBooks.Model;
using OrleansSync.Sandbox.Common;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Clients;

/// <summary>Every QuickBooks client operation against the sandbox, through the real OAuth flow.</summary>
public sealed class QuickBooksClientTests
{
    private const string Us = DemoData.UsRealmId;
    private const string Uk = DemoData.UkRealmId;

    [Fact]
    public async Task An_invoice_is_created_as_QuickBooks_computes_it_then_read_updated_sent_printed_voided_and_deleted()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var client = sandbox.QuickBooks;

        var created = await client.CreateInvoiceAsync(Us, new Invoice
        {
            CustomerRef = new Reference("1"),
            SalesTermRef = new Reference("3"),
            TxnDate = new DateOnly(2026, 11, 2),
            Line = [Line.Sales(new Reference("2"), 3, 150m), Line.Sales(new Reference("4"), 10, 25m, "Widgets")],
            CustomerMemo = new MemoRef("Thanks!"),
        }, RequestId());

        Assert.Equal("0", created.SyncToken);
        Assert.Equal(700m, created.TotalAmt);
        Assert.Equal(700m, created.Balance);
        Assert.Equal(new DateOnly(2026, 12, 2), created.DueDate);
        Assert.Equal(EmailStatuses.NotSet, created.EmailStatus);
        Assert.False(string.IsNullOrEmpty(created.DocNumber));
        Assert.Equal("ada@analytical.example", created.BillEmail?.Address);
        Assert.Equal(LineDetailTypes.SubTotal, created.Line![^1].DetailType);

        var read = await client.GetInvoiceAsync(Us, created.Id!);
        Assert.Equal(created.DocNumber, read.DocNumber);

        var moved = await client.UpdateInvoiceAsync(Us, new Invoice { Id = read.Id, SyncToken = read.SyncToken, DueDate = new DateOnly(2026, 12, 24) }, RequestId());
        Assert.Equal(("1", new DateOnly(2026, 12, 24), 700m), (moved.SyncToken, moved.DueDate, moved.TotalAmt));

        var sent = await client.SendInvoiceAsync(Us, created.Id!, "billing@analytical.example", RequestId());
        Assert.Equal(EmailStatuses.EmailSent, sent.EmailStatus);
        Assert.Equal("billing@analytical.example", sent.BillEmail?.Address);
        Assert.NotNull(sent.DeliveryInfo?.DeliveryTime);

        var pdf = await client.GetInvoicePdfAsync(Us, created.Id!);
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5));

        var voided = await client.VoidInvoiceAsync(Us, created.Id!, sent.SyncToken!, RequestId());
        Assert.Equal(0m, voided.TotalAmt);
        Assert.StartsWith("Voided", voided.PrivateNote);

        var deleted = await client.DeleteInvoiceAsync(Us, created.Id!, voided.SyncToken!, RequestId());
        Assert.Equal(("Deleted", created.Id), (deleted.Status, deleted.Id));
        var gone = await Assert.ThrowsAsync<QuickBooksException>(() => client.GetInvoiceAsync(Us, created.Id!));
        Assert.Equal("610", gone.Code);
    }

    [Fact]
    public async Task A_stale_SyncToken_surfaces_as_a_typed_5010_error()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var invoice = await CreateInvoiceAsync(sandbox.QuickBooks);
        await sandbox.QuickBooks.UpdateInvoiceAsync(Us, new Invoice { Id = invoice.Id, SyncToken = invoice.SyncToken, PrivateNote = "first" }, RequestId());

        var stale = await Assert.ThrowsAsync<QuickBooksStaleObjectException>(() =>
            sandbox.QuickBooks.UpdateInvoiceAsync(Us, new Invoice { Id = invoice.Id, SyncToken = invoice.SyncToken, PrivateNote = "second" }, RequestId()));

        Assert.Equal("5010", stale.Code);
        Assert.Equal(HttpStatusCode.BadRequest, stale.StatusCode);
        Assert.Equal("ValidationFault", stale.FaultType);
        Assert.Contains("Stale Object Error", stale.Errors[0].Detail);
    }

    [Fact]
    public async Task Outside_the_US_every_line_needs_a_tax_code_and_VAT_is_computed()
    {
        await using var sandbox = await SandboxClients.StartAsync();

        var refused = await Assert.ThrowsAsync<QuickBooksException>(() => sandbox.QuickBooks.CreateInvoiceAsync(Uk, new Invoice
        {
            CustomerRef = new Reference("2"),
            Line = [Line.Sales(new Reference("2"), 1, 120m, taxCode: new Reference("2")), Line.Sales(new Reference("4"), 5, 20m)],
        }, RequestId()));
        Assert.Equal("6000", refused.Code);
        Assert.Contains("Line 2", refused.Errors[0].Detail);

        var invoice = await sandbox.QuickBooks.CreateInvoiceAsync(Uk, new Invoice
        {
            CustomerRef = new Reference("2"),
            Line = [Line.Sales(new Reference("2"), 1, 120m, taxCode: new Reference("2")), Line.Sales(new Reference("4"), 5, 20m, taxCode: new Reference("5"))],
        }, RequestId());
        Assert.Equal(220m * 1m + 24m, invoice.TotalAmt);
        Assert.Equal(24m, invoice.TxnTaxDetail?.TotalTax);
        Assert.Equal("GBP", invoice.CurrencyRef?.Value);
    }

    [Fact]
    public async Task A_repeated_requestid_answers_the_first_answer_and_creates_nothing_new()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var requestId = RequestId();
        var request = new Invoice { CustomerRef = new Reference("2"), Line = [Line.Sales(new Reference("5"), 1, 1200m)] };

        var first = await sandbox.QuickBooks.CreateInvoiceAsync(Us, request, requestId);
        var again = await sandbox.QuickBooks.CreateInvoiceAsync(Us, request, requestId);

        Assert.Equal(first.Id, again.Id);
        var forCustomer = await sandbox.QuickBooks.QueryAsync<Invoice>(Us, QuickBooksQuery.From<Invoice>().Where("CustomerRef", "=", "2"));
        Assert.Single(forCustomer.Entities, i => i.TotalAmt == 1200m);
    }

    [Fact]
    public async Task Customers_are_created_found_by_email_and_name_and_updated_and_a_taken_name_is_refused()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var client = sandbox.QuickBooks;

        var created = await client.CreateCustomerAsync(Us, new Customer { GivenName = "Margaret", FamilyName = "Hamilton", PrimaryEmailAddr = new EmailAddress("margaret@apollo.example"), CompanyName = "Apollo Guidance" }, RequestId());
        Assert.Equal("Margaret Hamilton", created.DisplayName);

        Assert.Equal(created.Id, Assert.Single(await client.FindCustomersByEmailAsync(Us, "margaret@apollo.example")).Id);
        Assert.Equal(created.Id, Assert.Single(await client.FindCustomersByDisplayNameAsync(Us, "Margaret Hamilton")).Id);
        Assert.Empty(await client.FindCustomersByEmailAsync(Us, "nobody@nowhere.example"));

        var clash = await Assert.ThrowsAsync<QuickBooksDuplicateNameException>(() => client.CreateCustomerAsync(Us, new Customer { DisplayName = "Margaret Hamilton" }, RequestId()));
        Assert.Equal("6240", clash.Code);
        // Vendors and employees hold names too.
        await Assert.ThrowsAsync<QuickBooksDuplicateNameException>(() => client.CreateCustomerAsync(Us, new Customer { DisplayName = "Acme Paper Co" }, RequestId()));

        var renamed = await client.UpdateCustomerAsync(Us, new Customer { Id = created.Id, SyncToken = created.SyncToken, DisplayName = "Margaret H. Hamilton" }, RequestId());
        Assert.Equal(("Margaret H. Hamilton", "margaret@apollo.example"), (renamed.DisplayName, renamed.PrimaryEmailAddr?.Address));
        Assert.Equal(created.Id, (await client.GetCustomerAsync(Us, created.Id!)).Id);
    }

    [Fact]
    public async Task Items_terms_tax_codes_company_info_and_preferences_are_read()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var client = sandbox.QuickBooks;

        Assert.Equal("Consulting hour", (await client.GetItemAsync(Us, "2")).Name);
        var items = await client.QueryAsync<Item>(Us, QuickBooksQuery.From<Item>().Where("Name", "LIKE", "%idget%"));
        Assert.Equal(["Widget"], items.Entities.Select(i => i.Name));
        Assert.Equal(30, (await client.GetTermAsync(Us, "3")).DueDays);
        Assert.Equal("20.0% S", (await client.GetTaxCodeAsync(Uk, "2")).Name);
        Assert.Equal("GB", (await client.GetCompanyInfoAsync(Uk)).Country);
        var preferences = await client.GetPreferencesAsync(Uk);
        Assert.Equal(("GBP", true, false), (preferences.CurrencyPrefs?.HomeCurrency?.Value, preferences.CurrencyPrefs?.MultiCurrencyEnabled, preferences.SalesFormsPrefs?.CustomTxnNumbers));
    }

    [Fact]
    public async Task A_payment_recorded_in_QuickBooks_is_read_and_found_by_query()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        var invoice = await CreateInvoiceAsync(sandbox.QuickBooks);
        using var admin = sandbox.QuickBooksAdmin();
        var payment = await (await admin.PostAsJsonAsync($"realms/{Us}/invoices/{invoice.Id}/payments", new { amount = 100m })).Content.ReadFromJsonAsync<JsonObject>();

        var read = await sandbox.QuickBooks.GetPaymentAsync(Us, payment!["Id"]!.ToString());
        Assert.Equal(100m, read.TotalAmt);
        Assert.Equal(invoice.Id, read.Line![0].LinkedTxn![0].TxnId);
        var paid = await sandbox.QuickBooks.GetInvoiceAsync(Us, invoice.Id!);
        Assert.Equal(invoice.TotalAmt - 100m, paid.Balance);
        Assert.Contains(paid.LinkedTxn!, l => l.TxnType == "Payment" && l.TxnId == read.Id);
        var found = await sandbox.QuickBooks.QueryAsync<Payment>(Us, QuickBooksQuery.From<Payment>().Where("TotalAmt", ">=", 100m));
        Assert.Contains(found.Entities, p => p.Id == read.Id);
    }

    [Fact]
    public async Task A_query_pages_through_every_result_and_counts_them()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        for (var i = 0; i < 23; i++)
            await sandbox.QuickBooks.CreateCustomerAsync(Us, new Customer { DisplayName = $"Paged customer {i:D2}" }, RequestId());

        var query = QuickBooksQuery.From<Customer>().Where("DisplayName", "LIKE", "Paged customer%").OrderBy("DisplayName").Page(1, 10);
        var all = new List<Customer>();
        await foreach (var customer in sandbox.QuickBooks.QueryAllAsync<Customer>(Us, query))
            all.Add(customer);

        Assert.Equal(Enumerable.Range(0, 23).Select(i => $"Paged customer {i:D2}"), all.Select(c => c.DisplayName));
        Assert.Equal(23, await sandbox.QuickBooks.CountAsync(Us, QuickBooksQuery.From<Customer>().Where("DisplayName", "LIKE", "Paged customer%")));
    }

    [Fact]
    public async Task Change_data_capture_returns_what_changed_including_deleted_objects()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        // The demo data was seeded as the sandbox started; changedSince counts whole seconds, so start a second later.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var since = DateTimeOffset.UtcNow;
        var kept = await CreateInvoiceAsync(sandbox.QuickBooks);
        var removed = await CreateInvoiceAsync(sandbox.QuickBooks);
        await sandbox.QuickBooks.DeleteInvoiceAsync(Us, removed.Id!, removed.SyncToken!, RequestId());
        var customer = await sandbox.QuickBooks.CreateCustomerAsync(Us, new Customer { DisplayName = "Changed Customer" }, RequestId());

        var changes = await sandbox.QuickBooks.GetChangesAsync(Us, ["Invoice", "Customer"], since);

        var invoices = changes.Of<Invoice>();
        Assert.Contains(invoices, i => i.Id == kept.Id && !i.IsDeleted);
        Assert.Contains(invoices, i => i.Id == removed.Id && i.IsDeleted);
        Assert.Equal(customer.Id, Assert.Single(changes.Of<Customer>()).Id);
        Assert.Empty((await sandbox.QuickBooks.GetChangesAsync(Us, ["Payment"], since)).Of<Payment>());
    }

    [Fact]
    public async Task A_batch_answers_each_operation_on_its_own()
    {
        await using var sandbox = await SandboxClients.StartAsync();

        var answers = await sandbox.QuickBooks.BatchAsync(Us,
        [
            BatchItemRequest.Create("1", new Customer { DisplayName = "Batch One" }),
            BatchItemRequest.Create("2", new Customer { DisplayName = "Acme Paper Co" }),
            BatchItemRequest.ForQuery("3", QuickBooksQuery.From<Item>().Where("Name", "=", "Widget")),
        ], RequestId());

        Assert.Equal("Batch One", answers.Single(a => a.BatchId == "1").GetEntity<Customer>().DisplayName);
        Assert.IsType<QuickBooksDuplicateNameException>(answers.Single(a => a.BatchId == "2").Fault);
        Assert.NotNull(answers.Single(a => a.BatchId == "3").QueryResponse);
        Assert.Throws<ArgumentException>(() => sandbox.QuickBooks.BatchAsync(Us, Enumerable.Range(0, 31).Select(i => BatchItemRequest.ForQuery($"{i}", QuickBooksQuery.From<Item>())).ToList(), RequestId()).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task An_expired_access_token_is_refreshed_once_and_the_call_succeeds()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        using var admin = sandbox.SandboxAdmin();
        var before = sandbox.QuickBooksTokens.TokensOf(Us);

        await admin.PostAsJsonAsync("clock/advance", new { minutes = 61 });
        var info = await sandbox.QuickBooks.GetCompanyInfoAsync(Us);

        Assert.Equal("US", info.Country);
        Assert.Equal(1, sandbox.QuickBooksTokens.Refreshes);
        Assert.Equal(1, sandbox.QuickBooksResponses[HttpStatusCode.Unauthorized]);
        Assert.NotEqual(before.RefreshToken, sandbox.QuickBooksTokens.TokensOf(Us).RefreshToken);
        // The refresh token used stops working.
        var old = await Assert.ThrowsAsync<QuickBooksOAuthException>(() => sandbox.QuickBooksOAuth.RefreshAsync(before.RefreshToken));
        Assert.Equal("invalid_grant", old.Error);
    }

    [Fact]
    public async Task A_revoked_connection_fails_with_a_typed_error()
    {
        await using var sandbox = await SandboxClients.StartAsync();
        await sandbox.QuickBooksOAuth.RevokeAsync(sandbox.QuickBooksTokens.TokensOf(Us).RefreshToken);

        var broken = await Assert.ThrowsAsync<QuickBooksOAuthException>(() => sandbox.QuickBooks.GetCompanyInfoAsync(Us));
        Assert.Equal("invalid_grant", broken.Error);
        Assert.Equal("GB", (await sandbox.QuickBooks.GetCompanyInfoAsync(Uk)).Country);
    }

    [Fact]
    public async Task Retries_recover_all_work_under_twenty_percent_injected_server_errors()
    {
        await using var sandbox = await SandboxClients.StartAsync(["--Sandbox:QuickBooks:Faults:ServerErrorRate=0.2"]);

        var created = new List<Invoice>();
        for (var i = 0; i < 40; i++)
            created.Add(await sandbox.QuickBooks.CreateInvoiceAsync(Us, new Invoice { CustomerRef = new Reference("2"), Line = [Line.Sales(new Reference("2"), i + 1, 150m)] }, RequestId()));
        var read = await Task.WhenAll(created.Select(i => sandbox.QuickBooks.GetInvoiceAsync(Us, i.Id!)));

        Assert.Equal(created.Select(i => i.TotalAmt), read.Select(i => i.TotalAmt));
        Assert.Equal(40, created.Select(i => i.Id).Distinct().Count());
        Assert.True(sandbox.QuickBooksResponses[HttpStatusCode.InternalServerError] > 0, "no server error was injected");
    }

    internal static string RequestId() => Guid.NewGuid().ToString();

    private static Task<Invoice> CreateInvoiceAsync(QuickBooksClient client)
        => client.CreateInvoiceAsync(Us, new Invoice { CustomerRef = new Reference("1"), Line = [Line.Sales(new Reference("3"), 1, 6000m)] }, RequestId());
}
