using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Playwright;
using OrleansSync.Grains.Deals;
using OrleansSync.Tests.Dashboard;
using OrleansSync.Tests.EndToEnd;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSync.Tests.Browser;

/// <summary>
/// The dashboard in chromium against <see cref="DashboardProduct"/> — a dashboard user, and HubSpot and QuickBooks that
/// fail when a test says so: a dashboard user signs in through the page's form, and an operator repairs what failed with
/// the page's buttons — a dead letter replayed from the Inbox, a failing deal write retried from the Tenants — and sees
/// the outcome without a reload, while the product does what the button says. Screenshots under
/// <c>TestResults/screenshots/</c>.
/// </summary>
public sealed class DashboardOperatorBrowserTests(DashboardProduct product, Chromium chromium, ITestOutputHelper output)
    : IClassFixture<DashboardProduct>, IClassFixture<Chromium>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = (float)Patience.TotalMilliseconds };

    private readonly HttpClient _dashboard = product.Dashboard();
    private readonly HttpClient _api = product.AdminApi();

    [Fact]
    public async Task A_dashboard_user_signs_in_through_the_form_with_name_and_password()
    {
        await using var tab = await DashboardTab.NewAsync(chromium);
        var challenges = tab.CollectChallenges();

        Assert.Equal(200, (await tab.Page.GotoAsync(DashboardTab.Address(product.Api).ToString()))?.Status);
        await Assertions.Expect(tab.Page.Locator("#signin")).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.Locator("#signin-reason")).ToHaveTextAsync("Enter an operator key, or your dashboard user name and password.");
        await tab.Page.Locator("#signin-ways button[data-way='basic']").ClickAsync();
        await Assertions.Expect(tab.Page.Locator("#signin-user")).ToBeFocusedAsync();
        await Assertions.Expect(tab.Page.Locator("#signin-key")).ToBeHiddenAsync();

        await tab.Page.Locator("#signin-user").FillAsync(DashboardProduct.User);
        await tab.Page.Locator("#signin-password").FillAsync("not the password at all");
        await tab.Page.Locator("#signin-password").PressAsync("Enter");
        await Assertions.Expect(tab.Page.Locator("#signin-error")).ToHaveTextAsync("That user name and password were not accepted.");
        Assert.Null(await tab.SignInCookieAsync());
        output.WriteLine(await tab.ScreenshotAsync("sign-in-user-wrong-password"));

        await tab.Page.Locator("#signin-password").FillAsync(DashboardProduct.Password);
        await tab.Page.Locator("#signin-form button[type=submit]").ClickAsync();
        await Assertions.Expect(tab.Page.Locator("#signin")).ToBeHiddenAsync();
        await tab.WaitForAsync("cluster");
        await Assertions.Expect(tab.Page.Locator("#who")).ToHaveTextAsync($"Signed in as {DashboardProduct.User}");
        await Assertions.Expect(tab.Page.Locator("#silos tr[data-silo] .badge")).ToHaveTextAsync("Active");
        Assert.True(await tab.SignInCookieAsync() is { HttpOnly: true }, "signing in sets the HttpOnly cookie");
        output.WriteLine(await tab.ScreenshotAsync("sign-in-as-user"));
        DashboardTab.AssertNoBasicChallenge(challenges);
        Assert.True(tab.ErrorsBesidesRefusals.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
    }

    [Fact]
    public async Task Replay_delivers_a_dead_letter_again_and_it_leaves_the_list_and_reaches_the_deal_without_a_reload()
    {
        var (dealId, invoiceId) = await DealWithInvoiceAsync();
        var dueDate = DueDateIn(days: 52);
        string deadLetter;
        try
        {
            // Someone moves the due date in QuickBooks; its webhook comes in, but reading the invoice fails every time:
            // after two attempts the change is a dead letter.
            await product.QuickBooks.SetServerErrorRateAsync(1.0);
            await product.QuickBooks.ChangeInvoiceAsync(Product.Us, invoiceId, new { DueDate = dueDate });
            var dead = await Eventually.ValueAsync(
                async () => (await DashboardProduct.GetJsonAsync(_dashboard, "inbox")).GetProperty("deadLetters").EnumerateArray()
                    .Where(d => d.GetProperty("eventId").GetString()!.Contains($":Invoice:{invoiceId}:Update:", StringComparison.Ordinal))
                    .Select(d => d.Clone()).ToList(),
                found => found.Count > 0,
                Patience,
                "the due date change is dead-lettered");
            deadLetter = Assert.Single(dead).GetProperty("id").GetString()!;
        }
        finally
        {
            await product.QuickBooks.SetServerErrorRateAsync(0);
        }

        Assert.NotEqual(dueDate, await DealDueDateAsync(dealId)); // nothing has reached the deal
        await using var tab = await DashboardTab.OpenAsync(chromium, product.Api, Product.AdminKey);
        await tab.ShowAsync("inbox");
        var row = tab.Page.Locator($"#dead-letters tr[data-dead-letter='{deadLetter}']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(row).ToContainTextAsync($":Invoice:{invoiceId}:Update:");
        await Assertions.Expect(row.Locator("td.num")).ToHaveTextAsync("2"); // attempts
        Assert.NotEmpty((await row.Locator("td").Nth(5).InnerTextAsync()).Trim('–', ' ')); // the last error, from the server
        output.WriteLine(await tab.ScreenshotAsync("inbox-dead-letter"));
        await tab.MarkAsync();

        await row.Locator("button[data-action='replay']").ClickAsync();

        await Assertions.Expect(tab.Page.Locator(".toast.success", new() { HasText = "Replayed" })).ToBeVisibleAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0, new() { Timeout = (float)Patience.TotalMilliseconds });
        output.WriteLine(await tab.ScreenshotAsync("inbox-replayed"));
        Assert.False(await tab.WasReloadedAsync(), "the page was reloaded");

        // The product delivered the event: the deal has the new due date, and the invoice's history names the event.
        await Eventually.HoldsAsync(async () => await DealDueDateAsync(dealId) == dueDate, Patience, $"deal {dealId}'s due date property is {dueDate}");
        var history = (await Product.OkJsonAsync(await _api.GetAsync($"accounts/{Product.Us}/invoices/{invoiceId}"))).GetProperty("history");
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("cause").GetProperty("detail").GetString()?.Contains($"inbox {deadLetter}", StringComparison.Ordinal) == true);
        Assert.DoesNotContain((await DashboardProduct.GetJsonAsync(_dashboard, "inbox")).GetProperty("deadLetters").EnumerateArray(), d => d.GetProperty("id").GetString() == deadLetter);
        Assert.True(tab.Errors.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
        Assert.Equal(0, await tab.CountAsync(".toast.error"));
    }

    [Fact]
    public async Task Retry_of_a_failing_deal_write_shows_the_servers_answer_and_once_HubSpot_is_back_clears_the_failure()
    {
        var (dealId, invoiceId) = await DealWithInvoiceAsync();
        var dueDate = DueDateIn(days: 45);
        await using var tab = await DashboardTab.OpenAsync(chromium, product.Api, Product.AdminKey);
        await tab.ShowAsync("tenants");
        var failure = tab.Page.Locator($"article[data-portal='{Product.PortalId}'] tr[data-record='deals/{dealId}']");
        var retry = failure.Locator("button[data-action='retry']");
        try
        {
            // HubSpot fails while the invoice changes: the deal's properties cannot be written.
            await product.SetHubSpotFailingAsync(true);
            await product.QuickBooks.ChangeInvoiceAsync(Product.Us, invoiceId, new { DueDate = dueDate });
            await Product.OkJsonAsync(await _api.PostAsync($"accounts/{Product.Us}/invoices/{invoiceId}/sync", null));

            await Assertions.Expect(failure).ToBeVisibleAsync(Visible); // the page's own refresh brings it
            await Assertions.Expect(failure).ToContainTextAsync("Hubspot write");
            await Assertions.Expect(retry).ToHaveTextAsync("Retry: rewrite deal");
            output.WriteLine(await tab.ScreenshotAsync("tenants-failing-write"));
            await tab.MarkAsync();

            // Retried while HubSpot still fails: the page says so — with what the server answered — and the failure stays.
            await retry.ClickAsync();
            var stillFailing = tab.Page.Locator(".toast.error", new() { HasText = "Still failing" });
            await Assertions.Expect(stillFailing).ToBeVisibleAsync();
            await Assertions.Expect(stillFailing).ToContainTextAsync($"Writing deal {dealId}'s invoice properties failed again");
            await Assertions.Expect(failure).ToBeVisibleAsync();
            await Assertions.Expect(retry).ToBeEnabledAsync();
            output.WriteLine(await tab.ScreenshotAsync("tenants-retry-failed-again"));
        }
        finally
        {
            await product.SetHubSpotFailingAsync(false);
        }

        Assert.NotEqual(dueDate, await DealDueDateAsync(dealId));
        await retry.ClickAsync();

        await Assertions.Expect(tab.Page.Locator(".toast.success", new() { HasText = $"Deal {dealId}'s invoice properties are written." })).ToBeVisibleAsync();
        await Assertions.Expect(failure).ToHaveCountAsync(0, new() { Timeout = (float)Patience.TotalMilliseconds });
        output.WriteLine(await tab.ScreenshotAsync("tenants-retried"));
        Assert.False(await tab.WasReloadedAsync(), "the page was reloaded");

        // The product wrote the deal, and no longer counts it as failing.
        Assert.Equal(dueDate, await DealDueDateAsync(dealId));
        var tenant = (await DashboardProduct.GetJsonAsync(_dashboard, "tenants")).EnumerateArray().Single(t => t.GetProperty("portalId").GetInt64() == Product.PortalId);
        Assert.DoesNotContain(tenant.GetProperty("health").GetProperty("failures").EnumerateArray(), f => f.GetProperty("record").GetString() == $"deals/{dealId}");
        Assert.True(tab.Errors.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
    }

    public void Dispose()
    {
        _dashboard.Dispose();
        _api.Dispose();
        foreach (var line in product.Logs.Lines)
            output.WriteLine(line);
    }

    private string DueDateIn(int days)
        => DateOnly.FromDateTime(product.Clock.GetUtcNow().UtcDateTime).AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<string?> DealDueDateAsync(string dealId)
        => (await product.HubSpot.DealPropertiesAsync(dealId, DealProperties.DueDate))[DealProperties.DueDate];

    /// <summary>A new deal of Ada's with one line, and its invoice, made through the api as the record card does.</summary>
    private async Task<(string DealId, string InvoiceId)> DealWithInvoiceAsync()
    {
        var dealId = await product.HubSpot.CreateDealAsync($"Repair deal {Guid.NewGuid():N}", "51001", null, ("Widget", 1));
        var created = await Product.OkJsonAsync(await _api.PostAsJsonAsync($"deals/{dealId}/invoices", new { realmId = Product.Us, source = "scratch" }));
        return (dealId, created.GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString()!);
    }
}
