using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansSync.Tests.EndToEnd;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSync.Tests.Dashboard;

/// <summary>
/// The dashboard's JSON endpoints in the single-process default, the demo tenant installed and both companies
/// connected: what each answers, and the integration's views doing what an operator expects of them.
/// </summary>
public sealed class DashboardEndpointTests(DashboardProduct product, ITestOutputHelper output) : IClassFixture<DashboardProduct>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly HttpClient _dashboard = product.Dashboard();
    private readonly HttpClient _api = product.AdminApi();

    [Fact]
    public async Task The_overview_shows_the_one_silo_owning_every_partition_and_its_activations_by_type()
    {
        var overview = await DashboardProduct.GetJsonAsync(_dashboard, "overview");

        Assert.Equal("single-process", overview.GetProperty("mode").GetString());
        Assert.True(overview.GetProperty("devMode").GetBoolean());
        Assert.Equal("key", overview.GetProperty("auth").GetProperty("mode").GetString());
        var silo = Assert.Single(overview.GetProperty("silos").EnumerateArray());
        var siloId = silo.GetProperty("siloId").GetString();
        Assert.True(silo.GetProperty("self").GetBoolean());
        Assert.Equal("Active", silo.GetProperty("status").GetString());
        Assert.Equal(256, silo.GetProperty("partitionsOwned").GetInt32());
        Assert.True(silo.GetProperty("memoryBytes").GetInt64() > 0);
        Assert.True(silo.GetProperty("gcHeapBytes").GetInt64() > 0);
        Assert.True(silo.GetProperty("uptimeSeconds").GetDouble() >= 0);
        Assert.Equal(256, overview.GetProperty("partitionCount").GetInt32());
        Assert.All(overview.GetProperty("partitionOwners").EnumerateArray(), owner => Assert.Equal(siloId, owner.GetString()));
        var tenants = overview.GetProperty("activationsByType").EnumerateArray().Single(t => t.GetProperty("grainType").GetString() == "tenant");
        Assert.Equal(tenants.GetProperty("total").GetInt32(), tenants.GetProperty("bySilo").GetProperty(siloId!).GetInt32());
        Assert.Equal(silo.GetProperty("activations").GetInt32(), overview.GetProperty("activationsByType").EnumerateArray().Sum(t => t.GetProperty("total").GetInt32()));

        // CPU is sampled every second while someone watches.
        await Eventually.HoldsAsync(async () => (await DashboardProduct.GetJsonAsync(_dashboard, "overview")).GetProperty("silos")[0].GetProperty("cpuPercent").ValueKind == JsonValueKind.Number, Patience, "CPU is sampled");
    }

    [Fact]
    public async Task Grain_calls_are_counted_per_type_and_method_each_second_once_someone_watches()
    {
        await DashboardProduct.GetJsonAsync(_dashboard, "grains"); // someone watches from now on
        for (var i = 0; i < 5; i++)
            await _api.GetAsync("");   // the tenant grain, and its accounts, answer
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the second of the calls is over

        var grains = await DashboardProduct.GetJsonAsync(_dashboard, "grains?seconds=10");
        Assert.True(grains.GetProperty("collecting").GetBoolean());
        Assert.Equal(JsonValueKind.String, grains.GetProperty("collectingSince").ValueKind);
        var seconds = grains.GetProperty("seconds").EnumerateArray().ToList();
        Assert.Equal(10, seconds.Count);
        Assert.True(seconds.Zip(seconds.Skip(1)).All(p => p.Second.GetProperty("at").GetDateTimeOffset() - p.First.GetProperty("at").GetDateTimeOffset() == TimeSpan.FromSeconds(1)));
        Assert.True(seconds.Sum(s => s.GetProperty("calls").GetInt64()) >= 5);
        var tenant = grains.GetProperty("types").EnumerateArray().Single(t => t.GetProperty("grainType").GetString() == "tenant");
        var get = tenant.GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("method").GetString() == "GetAsync");
        Assert.True(get.GetProperty("callsPerSecond").GetDouble() >= 0.5);
        Assert.True(get.GetProperty("averageMs").GetDouble() > 0);
        Assert.True(get.GetProperty("p99Ms").GetDouble() >= get.GetProperty("averageMs").GetDouble() * 0.5);
        Assert.Equal(0, get.GetProperty("exceptions").GetInt64());

        Assert.Equal(HttpStatusCode.BadRequest, (await _dashboard.GetAsync("grains?seconds=500")).StatusCode);
    }

    [Fact]
    public async Task Reminders_are_counted_and_paged_in_due_order()
    {
        var all = await DashboardProduct.GetJsonAsync(_dashboard, "reminders?take=2");
        // Each company resyncs, and each of the three connections refreshes its tokens.
        Assert.True(all.GetProperty("total").GetInt64() >= 5);
        var page = all.GetProperty("page").EnumerateArray().ToList();
        Assert.Equal(2, page.Count);
        Assert.True(page[0].GetProperty("nextDue").GetDateTimeOffset() <= page[1].GetProperty("nextDue").GetDateTimeOffset());
        Assert.Contains(page.Concat((await DashboardProduct.GetJsonAsync(_dashboard, "reminders?skip=2&take=50")).GetProperty("page").EnumerateArray()),
            r => r.GetProperty("grainType").GetString() == "account" && r.GetProperty("name").GetString() == "resync" && r.GetProperty("grainId").GetString()!.StartsWith($"{Product.PortalId}/qbo/", StringComparison.Ordinal));

        // The table moves while the product runs — a reminder fires and is due again later, a grain registers one — so
        // the second page is compared with a first read a moment before it, until two such reads agree.
        await Eventually.ValueAsync(
            async () => (First: await DashboardProduct.GetJsonAsync(_dashboard, "reminders?take=2"), Next: await DashboardProduct.GetJsonAsync(_dashboard, "reminders?skip=1&take=1")),
            pages => Key(pages.First.GetProperty("page")[1]) == Key(pages.Next.GetProperty("page")[0]),
            Patience,
            "the reminder at skip=1 is the second of the first page");
        var soon = await DashboardProduct.GetJsonAsync(_dashboard, "reminders?filter=dueSoon&take=500");
        Assert.Equal(soon.GetProperty("dueSoon").GetInt64(), soon.GetProperty("page").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await _dashboard.GetAsync("reminders?filter=someday")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _dashboard.GetAsync("reminders?take=0")).StatusCode);
    }

    private static string Key(JsonElement reminder) => $"{reminder.GetProperty("grainType").GetString()} {reminder.GetProperty("grainId").GetString()} {reminder.GetProperty("name").GetString()}";

    [Fact]
    public async Task The_inbox_shows_its_backlog_and_dead_letters_and_a_missing_one_cannot_be_replayed()
    {
        var inbox = await DashboardProduct.GetJsonAsync(_dashboard, "inbox");
        Assert.Equal(JsonValueKind.Array, inbox.GetProperty("backlog").ValueKind);
        Assert.Equal(JsonValueKind.Array, inbox.GetProperty("deadLetters").ValueKind);

        var missing = await _dashboard.PostAsync("inbox/dead-letters/3.999999/replay", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, (await _dashboard.PostAsync("inbox/dead-letters/nonsense/replay", null)).StatusCode);
    }

    [Fact]
    public async Task Tenants_show_connections_budgets_and_the_last_resync_of_each_company()
    {
        await _api.PostAsync($"accounts/{Product.Us}/resync", null); // a request or two to QuickBooks, just now

        var tenants = await DashboardProduct.GetJsonAsync(_dashboard, "tenants");
        var tenant = tenants.EnumerateArray().Single(t => t.GetProperty("portalId").GetInt64() == Product.PortalId);
        Assert.True(tenant.GetProperty("installed").GetBoolean());
        Assert.Equal("USD", tenant.GetProperty("companyCurrency").GetString());
        Assert.Equal("Connected", tenant.GetProperty("hubSpot").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.String, tenant.GetProperty("hubSpot").GetProperty("accessTokenExpiresAt").ValueKind);
        Assert.Equal(110, tenant.GetProperty("hubSpotBudget").GetProperty("limit").GetInt32());
        Assert.Equal(10, tenant.GetProperty("hubSpotBudget").GetProperty("windowSeconds").GetInt32());
        var accounts = tenant.GetProperty("accounts").EnumerateArray().ToList();
        Assert.Equal([Product.Us, Product.Uk], accounts.Select(a => a.GetProperty("realmId").GetString()));
        var us = accounts[0];
        Assert.Equal("Connected", us.GetProperty("connection").GetProperty("state").GetString());
        var budget = us.GetProperty("quickBooksBudget");
        Assert.Equal((500, 10, 10), (budget.GetProperty("perMinute").GetInt32(), budget.GetProperty("perSecond").GetInt32(), budget.GetProperty("concurrent").GetInt32()));
        Assert.True(budget.GetProperty("usedLastMinute").GetInt32() >= 1, "the resync's requests count in the minute");
        var resync = us.GetProperty("sync").GetProperty("lastResync");
        Assert.Null(resync.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(resync.GetProperty("method").GetString()));
        Assert.Equal(JsonValueKind.Array, resync.GetProperty("repairedItems").ValueKind);
        var health = tenant.GetProperty("health");
        Assert.Equal(health.GetProperty("failing").GetInt32(), health.GetProperty("failures").GetArrayLength());
    }

    [Fact]
    public async Task Sync_health_shows_an_invoice_in_another_currency_as_excluded_and_a_failing_write_as_failing_until_retried()
    {
        // Alan Turing is a customer of the UK company, in pounds; the HubSpot account's currency is dollars (F10).
        var pounds = await product.HubSpot.CreateDealAsync($"Bletchley {Guid.NewGuid():N}", "51003", null, ("Widget", 2));
        await CreateInvoiceAsync(pounds, Product.Uk, taxCodeId: "2");
        var excluded = await HealthAsync(h => h.Excluded.Any(e => e == pounds));
        Assert.DoesNotContain(excluded.Failures, f => f.GetProperty("record").GetString() == $"deals/{pounds}");

        // A deal in dollars is in sync once its properties are written; then HubSpot fails while its invoice changes.
        var dollars = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", "51001", null, ("Widget", 1));
        var invoiceId = await CreateInvoiceAsync(dollars, Product.Us);
        var inSync = (await HealthAsync(h => h.InSync >= 1)).InSync;
        try
        {
            await product.SetHubSpotFailingAsync(true);
            await product.QuickBooks.ChangeInvoiceAsync(Product.Us, invoiceId, new { DueDate = DateOnly.FromDateTime(product.Clock.GetUtcNow().UtcDateTime).AddDays(45).ToString("yyyy-MM-dd") });
            await Product.OkJsonAsync(await _api.PostAsync($"accounts/{Product.Us}/invoices/{invoiceId}/sync", null));

            var failing = await HealthAsync(h => h.Failures.Any(f => f.GetProperty("record").GetString() == $"deals/{dollars}"));
            var failure = failing.Failures.Single(f => f.GetProperty("record").GetString() == $"deals/{dollars}");
            Assert.Equal("hubspot-write", failure.GetProperty("category").GetString());
            Assert.Contains("failed", failure.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.String, failure.GetProperty("since").ValueKind);
            Assert.Equal("deal-properties", failure.GetProperty("retry").GetProperty("kind").GetString());
            Assert.Equal(dollars, failure.GetProperty("retry").GetProperty("target").GetString());
            Assert.Equal(inSync - 1, failing.InSync);
        }
        finally
        {
            await product.SetHubSpotFailingAsync(false);
        }

        var retried = await Product.OkJsonAsync(await _dashboard.PostAsJsonAsync($"tenants/{Product.PortalId}/retry", new { kind = "deal-properties", target = dollars }));
        Assert.True(retried.GetProperty("done").GetBoolean());
        Assert.Contains("written", retried.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var healed = await HealthAsync(h => h.Failures.All(f => f.GetProperty("record").GetString() != $"deals/{dollars}"));
        Assert.Equal(inSync, healed.InSync);

        var reconnect = await Product.OkJsonAsync(await _dashboard.PostAsJsonAsync($"tenants/{Product.PortalId}/retry", new { kind = "reconnect", target = Product.Us }));
        Assert.False(reconnect.GetProperty("done").GetBoolean());
        Assert.Contains("/accounts/quickbooks/connect", reconnect.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var resync = await Product.OkJsonAsync(await _dashboard.PostAsJsonAsync($"tenants/{Product.PortalId}/retry", new { kind = "resync", target = Product.Us }));
        Assert.True(resync.GetProperty("done").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, (await _dashboard.PostAsJsonAsync($"tenants/{Product.PortalId}/retry", new { kind = "pray", target = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _dashboard.PostAsJsonAsync($"tenants/{Product.PortalId}/retry", new { kind = "dead-letter", target = "1.1" })).StatusCode);
    }

    [Fact]
    public async Task Invoices_are_found_by_number_deal_or_customer_and_open_with_their_history()
    {
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", "51001", null, ("Widget", 3));
        var invoiceId = await CreateInvoiceAsync(dealId, Product.Us);
        var number = (await product.QuickBooks.InvoiceAsync(Product.Us, invoiceId)).GetProperty("DocNumber").GetString()!;

        var byDeal = await Eventually.ValueAsync(async () => await DashboardProduct.GetJsonAsync(_dashboard, $"invoices?q={dealId}"), f => f.GetArrayLength() == 1, Patience, "the invoice is indexed");
        var found = byDeal[0];
        Assert.Equal(Product.PortalId, found.GetProperty("portalId").GetInt64());
        Assert.Equal(Product.Us, found.GetProperty("realmId").GetString());
        Assert.Equal(invoiceId, found.GetProperty("invoiceId").GetString());
        Assert.Equal(number, found.GetProperty("docNumber").GetString());
        Assert.Equal("Ada Lovelace", found.GetProperty("customerName").GetString());
        Assert.Equal("WaitingToBeSent", found.GetProperty("status").GetString());
        Assert.Equal("Waiting to be sent", found.GetProperty("statusLabel").GetString());
        Assert.Equal("USD", found.GetProperty("currency").GetString());
        Assert.Equal([$"deals/{dealId}"], found.GetProperty("linkedTo").EnumerateArray().Select(l => l.GetString()));
        Assert.True(found.GetProperty("totalAmt").GetDecimal() > 0);

        Assert.Contains((await DashboardProduct.GetJsonAsync(_dashboard, $"invoices?q={number}")).EnumerateArray(), i => i.GetProperty("invoiceId").GetString() == invoiceId);
        Assert.Contains((await DashboardProduct.GetJsonAsync(_dashboard, $"invoices?q=ada%20LOVE&portalId={Product.PortalId}")).EnumerateArray(), i => i.GetProperty("invoiceId").GetString() == invoiceId);
        Assert.Empty((await DashboardProduct.GetJsonAsync(_dashboard, $"invoices?q={dealId}&portalId={Product.OtherPortalId}")).EnumerateArray());

        var detail = await DashboardProduct.GetJsonAsync(_dashboard, $"invoices/{Product.PortalId}/{Product.Us}/{invoiceId}");
        Assert.Equal(invoiceId, detail.GetProperty("summary").GetProperty("snapshot").GetProperty("invoiceId").GetString());
        Assert.Contains(detail.GetProperty("history").EnumerateArray(), h => h.GetProperty("cause").GetProperty("kind").GetString() == "request");
        Assert.Equal(HttpStatusCode.NotFound, (await _dashboard.GetAsync($"invoices/{Product.PortalId}/{Product.Us}/999999")).StatusCode);
    }

    [Fact]
    public async Task The_live_stream_ticks_and_brings_an_invoice_status_change_as_it_happens()
    {
        var dealId = await product.HubSpot.CreateDealAsync($"Deal {Guid.NewGuid():N}", "51001", null, ("Widget", 2));
        var invoiceId = await CreateInvoiceAsync(dealId, Product.Us);

        using var live = new HttpClient { BaseAddress = _dashboard.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        live.DefaultRequestHeaders.Authorization = _dashboard.DefaultRequestHeaders.Authorization;
        using var response = await live.GetAsync("live", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var tick = await NextEventAsync(reader, "tick");
        Assert.Equal(JsonValueKind.String, tick.GetProperty("now").ValueKind);

        await product.QuickBooks.PayAsync(Product.Us, invoiceId, 10m);
        var changed = await NextEventAsync(reader, "invoice", e => e.GetProperty("invoiceId").GetString() == invoiceId);
        Assert.Equal("PartialPayment", changed.GetProperty("after").GetString());
        Assert.Equal(Product.PortalId, changed.GetProperty("portalId").GetInt64());
    }

    public void Dispose()
    {
        _dashboard.Dispose();
        _api.Dispose();
        foreach (var line in product.Logs.Lines)
            output.WriteLine(line);
    }

    private sealed record Health(int InSync, IReadOnlyList<string> Excluded, IReadOnlyList<JsonElement> Failures);

    /// <summary>The demo tenant's sync health, once it meets <paramref name="condition"/>.</summary>
    private async Task<Health> HealthAsync(Func<Health, bool> condition)
        => await Eventually.ValueAsync(async () =>
        {
            var tenant = (await DashboardProduct.GetJsonAsync(_dashboard, "tenants")).EnumerateArray().Single(t => t.GetProperty("portalId").GetInt64() == Product.PortalId);
            var health = tenant.GetProperty("health");
            var excluded = await ExcludedDealsAsync();
            return new Health(health.GetProperty("inSync").GetInt32(), excluded, [.. health.GetProperty("failures").EnumerateArray().Select(f => f.Clone())]);
        }, condition, Patience, "the sync health is as expected");

    /// <summary>The deals the tenant's health index holds as excluded (the dashboard counts them; the grain lists them).</summary>
    private async Task<IReadOnlyList<string>> ExcludedDealsAsync()
    {
        var grains = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OrleansSync.Runtime.IGrainFactory>(product.Services);
        var view = await OrleansSync.GrainInterfaces.GrainFactoryExtensions.SyncHealth(grains, Product.PortalId).GetAsync();
        return [.. view.Exclusions.Select(e => e.DealId)];
    }

    private async Task<string> CreateInvoiceAsync(string dealId, string realmId, string? taxCodeId = null)
    {
        var created = await Product.OkJsonAsync(await _api.PostAsJsonAsync($"deals/{dealId}/invoices", new { realmId, source = "scratch", taxCodeId }));
        return created.GetProperty("invoice").GetProperty("snapshot").GetProperty("invoiceId").GetString()!;
    }

    /// <summary>Reads server-sent events until one of <paramref name="name"/> matching <paramref name="match"/> comes.</summary>
    private static async Task<JsonElement> NextEventAsync(StreamReader reader, string name, Func<JsonElement, bool>? match = null)
    {
        using var timeout = new CancellationTokenSource(Patience);
        string? eventName = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The live stream ended.");
            if (line.StartsWith("event: ", StringComparison.Ordinal))
                eventName = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == name)
            {
                var data = JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
                if (match is null || match(data))
                    return data;
            }
            else if (line.Length == 0)
                eventName = null;
        }
    }
}
