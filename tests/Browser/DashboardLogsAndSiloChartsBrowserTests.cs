using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using OrleansSync.Tests.Dashboard;
using OrleansSync.Tests.EndToEnd;
using Xunit.Abstractions;

namespace OrleansSync.Tests.Browser;

/// <summary>
/// The dashboard's Logs section and silo charts in a real browser, against the single-process default: log lines arrive
/// on screen as the silo logs them, without a reload, filtered and paused as the operator asks; a silo's row opens its
/// charts of the last minutes.
/// </summary>
public sealed class DashboardLogsAndSiloChartsBrowserTests(DashboardProduct product, Chromium chromium, ITestOutputHelper output)
    : IClassFixture<DashboardProduct>, IClassFixture<Chromium>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly LocatorAssertionsToBeVisibleOptions Soon = new() { Timeout = (float)Patience.TotalMilliseconds };

    [Fact]
    public async Task Log_lines_appear_live_as_the_silo_logs_them_filtered_and_paused_as_asked()
    {
        await using var tab = await DashboardTab.OpenAsync(chromium, product.Api, Product.AdminKey);
        await tab.ShowAsync("logs");
        await tab.Page.EvaluateAsync("() => { window.stillTheSamePage = true; }");
        var lines = tab.Page.Locator("#log-lines tr[data-seq]");

        // An operator asks for a resync: the account grain logs what it did.
        using (var api = product.AdminApi())
            await Product.OkJsonAsync(await api.PostAsync($"accounts/{Product.Us}/resync", null));
        var resynced = lines.Filter(new() { HasText = $"Resynced QuickBooks company {Product.Us}" }).Last;
        await Assertions.Expect(resynced).ToBeVisibleAsync(Soon);
        await Assertions.Expect(resynced.Locator(".badge")).ToHaveTextAsync("Info");
        await Assertions.Expect(resynced.Locator(".log-silo")).ToContainTextAsync(product.Api.Authority);
        await Assertions.Expect(resynced.Locator(".log-category")).ToHaveTextAsync("AccountGrain");

        // Warnings and above, with a word of the message: the resync's line goes, a new warning comes.
        var marker = $"marker-{Guid.NewGuid():N}";
        await tab.Page.Locator("#log-level").SelectOptionAsync("Warning");
        await tab.Page.Locator("#log-q").FillAsync(marker);
        await Assertions.Expect(tab.Page.Locator("#log-empty")).ToContainTextAsync("No lines match", new() { Timeout = (float)Patience.TotalMilliseconds });
        Assert.Equal(0, await lines.CountAsync());
        var logger = product.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansSync.Grains.Deals.DealGrain");
        logger.LogWarning("{Marker}: writing the invoice properties of deal 53001 failed; retrying", marker);
        logger.LogInformation("{Marker}: below the level asked for", marker);
        var warning = lines.Filter(new() { HasText = "writing the invoice properties" });
        await Assertions.Expect(warning).ToBeVisibleAsync(Soon);
        await Assertions.Expect(warning.Locator(".badge")).ToHaveTextAsync("Warning");
        await Assertions.Expect(lines).ToHaveCountAsync(1);

        // Paused, nothing new shows; resumed, what was logged meanwhile arrives.
        await tab.Page.Locator("#log-pause").ClickAsync();
        await Assertions.Expect(tab.Page.Locator("#log-pause")).ToHaveTextAsync("Resume");
        logger.LogError(new InvalidOperationException("HubSpot answered 500"), "{Marker}: gave up on deal 53001", marker);
        await tab.Page.WaitForTimeoutAsync(3000); // a refresh or more
        await Assertions.Expect(lines).ToHaveCountAsync(1);
        await tab.Page.Locator("#log-pause").ClickAsync();
        var error = lines.Filter(new() { HasText = "gave up on deal 53001" });
        await Assertions.Expect(error).ToBeVisibleAsync(Soon);
        await Assertions.Expect(error.Locator(".badge")).ToHaveTextAsync("Error");
        await Assertions.Expect(error.Locator(".log-exception")).ToHaveTextAsync("System.InvalidOperationException: HubSpot answered 500");

        await tab.Page.Locator("#log-level").SelectOptionAsync("Information");
        await tab.Page.Locator("#log-q").FillAsync("");
        await Assertions.Expect(resynced).ToBeVisibleAsync(Soon);
        output.WriteLine(await tab.ScreenshotAsync("single-process-logs"));

        Assert.True(await tab.Page.EvaluateAsync<bool>("() => window.stillTheSamePage === true"), "the page was reloaded");
        var text = await tab.TextAsync("main");
        Assert.DoesNotContain("{\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("undefined", text, StringComparison.Ordinal);
        Assert.True(tab.Errors.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
    }

    [Fact]
    public async Task Selecting_the_silo_shows_its_cpu_memory_activations_and_calls_over_the_last_minutes()
    {
        await using var tab = await DashboardTab.OpenAsync(chromium, product.Api, Product.AdminKey);
        var panel = tab.Page.Locator("#silo-history-panel");
        await Assertions.Expect(panel).ToBeHiddenAsync();

        var silo = tab.Page.Locator("#silos tr[data-silo]").First;
        var siloId = await silo.GetAttributeAsync("data-silo");
        await silo.ClickAsync();
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await Assertions.Expect(silo).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bselected\b"));
        Assert.EndsWith($"#cluster/{siloId}", tab.Page.Url, StringComparison.Ordinal);
        await Assertions.Expect(tab.Page.Locator("#silo-history-title")).ToContainTextAsync(product.Api.Authority);

        var charts = panel.Locator(".silo-chart");
        await Assertions.Expect(charts).ToHaveCountAsync(4, new() { Timeout = (float)Patience.TotalMilliseconds });
        Assert.Equal(["CPU", "Memory", "Activations", "Grain calls per second"], await charts.Locator("h3").AllTextContentsAsync());
        // A line once there are two samples: the page refreshes the charts by itself.
        foreach (var chart in new[] { "CPU", "Memory", "Activations", "Grain calls per second" })
            await Assertions.Expect(panel.Locator($".silo-chart[data-chart='{chart}'] svg path[fill='none'][d*='L']").First).ToBeAttachedAsync(new() { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(panel.Locator(".silo-chart[data-chart='CPU'] svg text.tick").Last).ToHaveTextAsync("now");
        await Assertions.Expect(panel.Locator(".silo-chart[data-chart='CPU'] svg text.tick", new() { HasText = "−60 s" })).ToHaveCountAsync(1); // the first minute, until there is more
        await Assertions.Expect(panel.Locator(".silo-chart[data-chart='Memory'] .chart-legend")).ToContainTextAsync("MB");
        output.WriteLine(await tab.ScreenshotAsync("single-process-silo-charts"));

        // The address opens the same charts.
        await tab.Page.ReloadAsync();
        await Assertions.Expect(panel.Locator(".silo-chart")).ToHaveCountAsync(4, new() { Timeout = (float)Patience.TotalMilliseconds });

        await panel.Locator("[data-action='close-silo-history']").ClickAsync();
        await Assertions.Expect(panel).ToBeHiddenAsync();
        Assert.EndsWith("#cluster", tab.Page.Url, StringComparison.Ordinal);
        Assert.True(tab.Errors.Count == 0, $"the page logged errors:\n{string.Join('\n', tab.Errors)}");
    }
}
