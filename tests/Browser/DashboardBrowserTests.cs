using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Tests.EndToEnd;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSync.Tests.Browser;

/// <summary>
/// The operator dashboard (issue 6) in a real browser — Debian's chromium — against the single-process default with the
/// demo tenant installed: what an operator sees, that it keeps itself current without a reload, and that a wrong key
/// sees nothing. Each section's screenshot is saved under <c>TestResults/screenshots/</c>.
/// </summary>
public sealed class DashboardBrowserTests(SingleProcessProduct product, Chromium chromium, ITestOutputHelper output)
    : IClassFixture<SingleProcessProduct>, IClassFixture<Chromium>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_section_loads_without_a_console_error_and_shows_no_raw_JSON()
    {
        var (dealId, _) = await DealWithInvoiceAsync(); // so that the invoices section has something to show
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var traffic = ReadDealUntilAsync(dealId, stop.Token); // and the grains section some calls
        await using var tab = await DashboardTab.OpenAsync(chromium, product.Api, Product.AdminKey);

        foreach (var section in DashboardTab.Sections)
        {
            await tab.ShowAsync(section);
            await tab.Page.WaitForTimeoutAsync(2500); // one refresh more: the page keeps working once its data comes back
            output.WriteLine($"{section}: {await tab.ScreenshotAsync($"single-process-{section}")}");
            var text = await tab.TextAsync("main");
            Assert.DoesNotContain("{\"", text, StringComparison.Ordinal);
            Assert.DoesNotContain("undefined", text, StringComparison.Ordinal);
            Assert.DoesNotContain("NaN", text, StringComparison.Ordinal);
        }

        await stop.CancelAsync();
        await traffic;
        Assert.True(tab.Errors.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
        Assert.Equal(0, await tab.CountAsync(".toast.error"));
    }

    [Fact]
    public async Task It_shows_the_running_silo_and_the_demo_tenant_with_both_companies()
    {
        await using var tab = await DashboardTab.OpenAsync(chromium, product.Api, Product.AdminKey);

        var silos = tab.Page.Locator("#silos tr[data-silo]");
        await Assertions.Expect(silos).ToHaveCountAsync(1);
        await Assertions.Expect(silos.Locator(".badge")).ToHaveTextAsync("Active");
        await Assertions.Expect(silos).ToContainTextAsync("serving this page");
        await Assertions.Expect(tab.Page.Locator("#cluster-mode")).ToHaveTextAsync("Single process");
        await Assertions.Expect(tab.Page.Locator("#banner")).ToContainTextAsync("Development mode");
        Assert.Equal(256, await tab.CountAsync(".partition-grid span"));
        Assert.Equal(0, await tab.CountAsync(".partition-grid span.unowned")); // one silo owns every partition
        Assert.Matches(@"^\d+( s| min)", (await silos.Locator("td").Nth(2).InnerTextAsync()).Trim()); // uptime in words

        await tab.ShowAsync("tenants");
        var tenant = tab.Page.Locator($"article[data-portal='{Product.PortalId}']");
        await Assertions.Expect(tenant).ToBeVisibleAsync();
        await Assertions.Expect(tenant.Locator(".tenant-grid .badge").First).ToHaveTextAsync("Connected"); // HubSpot
        foreach (var realm in new[] { Product.Us, Product.Uk })
        {
            var account = tenant.Locator($".account[data-realm='{realm}']");
            await Assertions.Expect(account.Locator(".account-head .badge")).ToHaveTextAsync("Connected");
            await Assertions.Expect(account).ToContainTextAsync("expires in");
        }

        await Assertions.Expect(tenant.Locator("[data-health='failing'] b")).ToHaveTextAsync("0");
        Assert.True(tab.Errors.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
    }

    [Fact]
    public async Task An_invoice_turns_paid_in_full_on_screen_after_a_sandbox_payment_without_a_reload()
    {
        var (dealId, invoiceId) = await DealWithInvoiceAsync();
        await using var tab = await DashboardTab.OpenAsync(chromium, product.Api, Product.AdminKey);
        var (row, detail) = await OpenInvoiceAsync(tab, dealId, invoiceId);

        // Anything that reloaded the page would lose this, and count as a navigation.
        await tab.Page.EvaluateAsync("() => { window.stillTheSamePage = true; }");
        var navigations = 0;
        tab.Page.FrameNavigated += (_, frame) =>
        {
            if (frame == tab.Page.MainFrame)
                Interlocked.Increment(ref navigations);
        };

        await PayInFullAsync(invoiceId); // the customer pays in QuickBooks; its webhook follows

        await Assertions.Expect(row.Locator(".badge")).ToHaveTextAsync("Paid in full", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(detail.Locator(".detail-head .badge")).ToHaveTextAsync("Paid in full", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(detail.Locator(".timeline")).ToContainTextAsync("Paid in full");
        await Assertions.Expect(detail.Locator(".timeline")).ToContainTextAsync("Webhook");
        Assert.True(await tab.Page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "the page was reloaded");
        Assert.Equal(0, navigations);
        await tab.ScreenshotAsync("single-process-invoice-paid");
        Assert.True(tab.Errors.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
    }

    [Fact]
    public async Task An_invoice_change_reaches_the_page_over_the_live_stream_even_while_its_refreshes_hang()
    {
        var (dealId, invoiceId) = await DealWithInvoiceAsync();
        await using var tab = await DashboardTab.OpenAsync(chromium, product.Api, Product.AdminKey);
        var (row, detail) = await OpenInvoiceAsync(tab, dealId, invoiceId);

        // From now on the invoice endpoints do not answer: only the live stream (api/live) can bring the change.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = 0;
        await tab.Page.RouteAsync("**/dashboard/api/invoices**", async route =>
        {
            Interlocked.Increment(ref held);
            await release.Task;
            await route.ContinueAsync();
        });
        await Eventually.HoldsAsync(() => Volatile.Read(ref held) > 0, TimeSpan.FromSeconds(10), "the page's next refresh is held");

        await PayInFullAsync(invoiceId);

        await Assertions.Expect(row.Locator(".badge")).ToHaveTextAsync("Paid in full", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(detail.Locator(".detail-head .badge")).ToHaveTextAsync("Paid in full");
        await Assertions.Expect(row.Locator("td.num").Nth(1)).ToHaveTextAsync("$0.00"); // the balance came with the event

        // Let the held refreshes through: the history follows.
        release.SetResult();
        await tab.Page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.Wait });
        await Assertions.Expect(detail.Locator(".timeline")).ToContainTextAsync("Paid in full", new() { Timeout = (float)Patience.TotalMilliseconds });
        Assert.True(tab.Errors.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
    }

    [Fact]
    public async Task Behind_a_reverse_proxy_under_a_base_path_every_request_stays_under_it()
    {
        await using var tab = await DashboardTab.NewAsync(chromium);
        var outside = new List<string>();
        var proxied = new Uri(product.Api, "ops/");
        tab.Page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(proxied.ToString(), StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
                lock (outside)
                    outside.Add(request.Url);
        };

        // The proxy: /ops/… in the browser is /… at the silo, with the prefix in X-Forwarded-Prefix.
        await tab.Page.RouteAsync($"{proxied}**", async route =>
        {
            var headers = new Dictionary<string, string>(await route.Request.AllHeadersAsync()) { ["X-Forwarded-Prefix"] = "/ops" };
            await route.ContinueAsync(new RouteContinueOptions { Url = product.Api + route.Request.Url[proxied.ToString().Length..], Headers = headers });
        });

        // Signed in through the proxy (Playwright routes no request a redirect leads to, so not through the page's ?key=).
        Assert.Equal(200, (await tab.Page.GotoAsync($"{proxied}dashboard/api/overview?key={Product.AdminKey}"))?.Status);
        var cookie = Assert.Single(await tab.Page.Context.CookiesAsync(), c => c.Name == "orleanssync-dashboard");
        Assert.Equal("/ops/dashboard", cookie.Path); // scoped to the address the browser sees
        // Chromium picks the cookies for the address a route rewrites to, not the one the page asked for: a copy where
        // the silo is stands in for what a real proxy forwards.
        await tab.Page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = cookie.Name, Value = cookie.Value, Domain = cookie.Domain, Path = "/dashboard", HttpOnly = true }]);
        Assert.Equal(200, (await tab.Page.GotoAsync($"{proxied}dashboard/"))?.Status);
        await tab.WaitForAsync("cluster");
        await tab.ShowAsync("tenants");
        await Assertions.Expect(tab.Page.Locator($"article[data-portal='{Product.PortalId}']")).ToBeVisibleAsync();
        await tab.Page.WaitForTimeoutAsync(2500); // a refresh more, and the live stream open

        Assert.StartsWith($"{proxied}dashboard/", tab.Page.Url, StringComparison.Ordinal);
        lock (outside)
            Assert.True(outside.Count == 0, $"requests left the base path:\n{string.Join('\n', outside)}");
        Assert.True(tab.Errors.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
    }

    [Fact]
    public async Task A_first_visit_without_a_key_shows_the_sign_in_form_refuses_a_wrong_key_and_lets_the_right_one_in()
    {
        await using var tab = await DashboardTab.NewAsync(chromium);
        var challenges = tab.CollectChallenges();

        var opened = await tab.Page.GotoAsync(DashboardTab.Address(product.Api).ToString());
        Assert.Equal(200, opened?.Status); // the page itself needs no credentials
        var form = tab.Page.Locator("#signin");
        await Assertions.Expect(form).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.Locator("#signin-reason")).ToHaveTextAsync("Enter an operator key to see the cluster.");
        await Assertions.Expect(tab.Page.Locator("#signin-ways")).ToBeHiddenAsync(); // no dashboard users here: a key only
        await Assertions.Expect(tab.Page.Locator("#live")).ToContainTextAsync("Not signed in");
        await Assertions.Expect(tab.Page.Locator("#signin-key")).ToBeFocusedAsync();
        output.WriteLine(await tab.ScreenshotAsync("sign-in-first-visit"));
        await tab.MarkAsync();

        await tab.Page.Locator("#signin-key").FillAsync("not-the-operator-key-at-all");
        await tab.Page.Locator("#signin-key").PressAsync("Enter");
        await Assertions.Expect(tab.Page.Locator("#signin-error")).ToContainTextAsync("That key was not accepted");
        await Assertions.Expect(form).ToBeVisibleAsync();
        Assert.Equal(0, await tab.CountAsync("#silos tr[data-silo]"));
        Assert.Null(await tab.SignInCookieAsync());
        output.WriteLine(await tab.ScreenshotAsync("sign-in-wrong-key"));

        await tab.Page.Locator("#signin-key").FillAsync(Product.AdminKey);
        await tab.Page.Locator("#signin-form button[type=submit]").ClickAsync();
        await Assertions.Expect(form).ToBeHiddenAsync();
        await tab.WaitForAsync("cluster");
        var silos = tab.Page.Locator("#silos tr[data-silo]");
        await Assertions.Expect(silos).ToHaveCountAsync(1);
        await Assertions.Expect(silos.Locator(".badge")).ToHaveTextAsync("Active");
        await Assertions.Expect(tab.Page.Locator("#who")).ToHaveTextAsync("Operator key");
        await Assertions.Expect(tab.Page.Locator("#sign-out")).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.Locator("#live")).ToContainTextAsync("Live");
        Assert.True(await tab.SignInCookieAsync() is { HttpOnly: true }, "signing in sets the HttpOnly cookie");
        Assert.False(await tab.WasReloadedAsync(), "signing in reloaded the page");
        output.WriteLine(await tab.ScreenshotAsync("sign-in-signed-in"));
        DashboardTab.AssertNoBasicChallenge(challenges); // nothing made the browser open a dialog of its own
        Assert.True(tab.ErrorsBesidesRefusals.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
    }

    [Fact]
    public async Task A_wrong_key_in_the_link_is_refused_and_shows_no_data()
    {
        await using var tab = await DashboardTab.NewAsync(chromium);

        var refused = await tab.Page.GotoAsync($"{DashboardTab.Address(product.Api)}?key=not-the-operator-key-at-all");
        Assert.Equal(401, refused?.Status);
        await Assertions.Expect(tab.Page.Locator("#signin")).ToBeVisibleAsync(); // the page's own form, not the browser's dialog
        await Assertions.Expect(tab.Page.Locator("#signin-error")).ToHaveTextAsync("That key was not accepted.");
        Assert.DoesNotContain("key=", tab.Page.Url, StringComparison.Ordinal); // nor does the wrong key stay in the address bar
        await tab.Page.WaitForTimeoutAsync(2500); // a refresh's worth: still nothing
        var shown = await tab.TextAsync();
        Assert.DoesNotContain(Product.PortalId.ToString(System.Globalization.CultureInfo.InvariantCulture), shown, StringComparison.Ordinal);
        Assert.Equal(0, await tab.CountAsync("#silos tr[data-silo]"));
        Assert.Equal(0, await tab.CountAsync(".partition-grid span"));
        Assert.Null(await tab.SignInCookieAsync()); // nothing to come back with

        using var api = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(DashboardTab.Address(product.Api), "api/overview"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-operator-key-at-all");
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("silos", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_sign_in_lapses_the_page_asks_for_a_key_and_a_good_one_brings_it_back()
    {
        await using var tab = await DashboardTab.OpenAsync(chromium, product.Api, Product.AdminKey);
        await tab.MarkAsync();
        await tab.Page.Context.ClearCookiesAsync(); // the cookie expired, or the key was rotated

        var prompt = tab.Page.Locator("#signin");
        await Assertions.Expect(prompt).ToBeVisibleAsync(); // at the next refresh, within 2 s
        await Assertions.Expect(tab.Page.Locator("#live")).ToContainTextAsync("Signed out");
        await Assertions.Expect(tab.Page.Locator("#signin-reason")).ToContainTextAsync("Your sign-in has ended");
        await Assertions.Expect(tab.Page.Locator("body")).ToHaveClassAsync("signed-out"); // the numbers on screen, blurred
        await tab.ScreenshotAsync("sign-in-prompt");

        await tab.Page.Locator("#signin-key").FillAsync(Product.AdminKey);
        await tab.Page.Locator("#signin-form button[type=submit]").ClickAsync();
        await Assertions.Expect(prompt).ToBeHiddenAsync();
        await tab.WaitForAsync("cluster");
        await Assertions.Expect(tab.Page.Locator("body")).Not.ToHaveClassAsync("signed-out");
        await Assertions.Expect(tab.Page.Locator("#silos tr[data-silo]")).ToHaveCountAsync(1);
        await Assertions.Expect(tab.Page.Locator("#live")).ToContainTextAsync("Live");
        Assert.False(await tab.WasReloadedAsync(), "signing in again reloaded the page");
    }

    [Fact]
    public async Task Signing_out_forgets_the_sign_in_and_shows_the_form_again()
    {
        await using var tab = await DashboardTab.OpenAsync(chromium, product.Api, Product.AdminKey);
        Assert.NotNull(await tab.SignInCookieAsync());

        await tab.Page.Locator("#sign-out").ClickAsync();

        await Assertions.Expect(tab.Page.Locator("#signin")).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.Locator("#signin-reason")).ToHaveTextAsync("You have signed out.");
        await Assertions.Expect(tab.Page.Locator("#sign-out")).ToBeHiddenAsync();
        Assert.Null(await tab.SignInCookieAsync());
        Assert.Equal(0, await tab.CountAsync("#silos tr[data-silo]")); // the page was loaded again: nothing of before is left
        await tab.ScreenshotAsync("signed-out");
    }

    /// <summary>Finds the invoice in the Invoices section by its deal, as an operator does, and opens it: its row and its detail.</summary>
    private static async Task<(ILocator Row, ILocator Detail)> OpenInvoiceAsync(DashboardTab tab, string dealId, string invoiceId)
    {
        await tab.ShowAsync("invoices");
        await tab.Page.Locator("#invoice-q").FillAsync(dealId); // search by the deal it is linked to
        await tab.Page.Locator("#invoice-q").PressAsync("Enter");
        await Assertions.Expect(tab.Page.Locator("#invoice-count")).ToHaveTextAsync("1 invoice");
        var row = tab.Page.Locator($"#invoice-results tr[data-invoice='{Product.PortalId}/{Product.Us}/{invoiceId}']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(row.Locator(".badge")).ToHaveTextAsync("Waiting to be sent");
        await row.ClickAsync();
        var detail = tab.Page.Locator("#invoice-detail");
        await Assertions.Expect(detail.Locator(".detail-head .badge")).ToHaveTextAsync("Waiting to be sent");
        return (row, detail);
    }

    private async Task PayInFullAsync(string invoiceId)
    {
        var balance = (await product.QuickBooks.InvoiceAsync(Product.Us, invoiceId)).GetProperty("Balance").GetDecimal();
        await product.QuickBooks.PayAsync(Product.Us, invoiceId, balance);
    }

    /// <summary>Reads the deal through the api ten times a second until told to stop: grain calls for the charts.</summary>
    private async Task ReadDealUntilAsync(string dealId, CancellationToken stop)
    {
        using var api = product.AdminApi();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                (await api.GetAsync($"deals/{dealId}", stop)).Dispose();
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>A new deal of Ada's with one line, and its invoice, made through the api as the record card does.</summary>
    private async Task<(string DealId, string InvoiceId)> DealWithInvoiceAsync()
    {
        var dealId = await product.HubSpot.CreateDealAsync($"Dashboard deal {Guid.NewGuid():N}", "51001", null, ("Widget", 1));
        using var api = product.AdminApi();
        var created = await Product.OkJsonAsync(await api.PostAsJsonAsync($"deals/{dealId}/invoices", new { realmId = Product.Us, source = "scratch" }));
        return (dealId, created.GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString()!);
    }
}

/// <summary>The dashboard served by one silo of three over PostgreSQL shows all three, and the partitions they share.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterDashboardBrowserTests(ClusterProduct product, Chromium chromium, ITestOutputHelper output)
    : IClassFixture<ClusterProduct>, IClassFixture<Chromium>
{
    [Fact]
    public async Task Any_silo_shows_the_three_silos_and_who_owns_each_partition()
    {
        await using var tab = await DashboardTab.OpenAsync(chromium, product.Silos[1].Address, Product.AdminKey);

        var silos = tab.Page.Locator("#silos tr[data-silo]");
        await Assertions.Expect(silos).ToHaveCountAsync(3);
        await Assertions.Expect(silos.Locator(".badge")).ToHaveTextAsync(["Active", "Active", "Active"]);
        await Assertions.Expect(tab.Page.Locator("#cluster-mode")).ToHaveTextAsync("Cluster · 3 of 3 silos active");
        // Partitions may be between owners for a moment while the three silos even out their shares; the map follows.
        Assert.Equal(256, await tab.CountAsync(".partition-grid span"));
        await Assertions.Expect(tab.Page.Locator(".partition-grid span.unowned")).ToHaveCountAsync(0);
        await Assertions.Expect(tab.Page.Locator(".partition-map .legend-item")).ToHaveCountAsync(3);
        Assert.Equal(1, await tab.CountAsync("#silos tr[data-silo]:has-text('serving this page')"));
        output.WriteLine(await tab.ScreenshotAsync("cluster-3-silos-cluster"));

        await tab.ShowAsync("grains");
        await Assertions.Expect(tab.Page.Locator("#activations table th.num")).ToHaveCountAsync(4); // a column per silo, and the total
        await tab.Page.WaitForTimeoutAsync(2500);
        output.WriteLine(await tab.ScreenshotAsync("cluster-3-silos-grains"));
        Assert.True(tab.Errors.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
    }

    [Fact]
    public async Task The_log_view_shows_the_lines_of_every_silo_each_with_the_silo_it_came_from()
    {
        await using var tab = await DashboardTab.OpenAsync(chromium, product.Silos[1].Address, Product.AdminKey);
        await tab.ShowAsync("logs"); // every silo keeps its lines from now on
        var marker = $"marker-{Guid.NewGuid():N}";
        await tab.Page.Locator("#log-q").FillAsync(marker);
        await Assertions.Expect(tab.Page.Locator("#log-empty")).ToContainTextAsync("No lines match");

        foreach (var silo in product.Silos)
            silo.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansSync.Runtime.Cluster.PartitionManager").LogWarning("{Marker}: a line of {Silo}", marker, silo.Address.Authority);

        var lines = tab.Page.Locator("#log-lines tr[data-seq]");
        await Assertions.Expect(lines).ToHaveCountAsync(3, new() { Timeout = 30_000 });
        foreach (var silo in product.Silos)
            await Assertions.Expect(lines.Filter(new() { HasText = $"a line of {silo.Address.Authority}" }).Locator(".log-silo")).ToHaveTextAsync(silo.Address.Authority);
        output.WriteLine(await tab.ScreenshotAsync("cluster-3-silos-logs"));

        // One silo's lines only.
        var third = product.Silos[2].Services.GetRequiredService<SiloIdentity>().SiloId;
        await tab.Page.Locator("#log-silo").SelectOptionAsync(third);
        await Assertions.Expect(lines).ToHaveCountAsync(1);
        await Assertions.Expect(lines).ToHaveAttributeAsync("data-silo", third);
        Assert.True(tab.Errors.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
    }
}
