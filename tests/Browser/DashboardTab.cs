using System.Globalization;
using Microsoft.Playwright;

namespace OrleansSync.Tests.Browser;

/// <summary>
/// The operator dashboard open in a browser tab of its own (own cookies), and everything that went wrong in it: console
/// errors and uncaught exceptions.
/// </summary>
public sealed class DashboardTab : IAsyncDisposable
{
    /// <summary>What each section shows once its data has arrived: a table, cards, or an empty state.</summary>
    private static readonly Dictionary<string, string> Loaded = new()
    {
        ["cluster"] = "#silos tr[data-silo]",
        ["grains"] = "#grain-cards .card",
        ["reminders"] = "#reminder-cards .card",
        ["inbox"] = "#inbox-cards .card",
        ["tenants"] = "#tenant-list > *",
        ["invoices"] = "#invoice-results table, #invoice-results .empty",
        ["logs"] = "#log-lines tr, #log-empty:not([hidden]) .empty",
    };

    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];

    private DashboardTab(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                Add($"console error: {message.Text} ({message.Location})");
        };
        page.PageError += (_, error) => Add($"uncaught: {error}");
    }

    public static IReadOnlyList<string> Sections { get; } = [.. Loaded.Keys];

    public IPage Page { get; }

    /// <summary>Console errors and uncaught exceptions so far.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
                return [.. _errors];
        }
    }

    /// <summary>
    /// The errors besides the browser's own note of each refused request ("Failed to load resource: … status of 401"),
    /// which a page that is not signed in is bound to make.
    /// </summary>
    public IReadOnlyList<string> ErrorsBesidesRefusals => [.. Errors.Where(e => !e.Contains("status of 401", StringComparison.Ordinal))];

    /// <summary>The dashboard's address on a silo.</summary>
    public static Uri Address(Uri silo) => new(silo, "dashboard/");

    /// <summary>A new tab that has not signed in.</summary>
    public static async Task<DashboardTab> NewAsync(Chromium chromium)
    {
        var context = await chromium.NewContextAsync();
        context.SetDefaultTimeout(30_000);
        return new DashboardTab(context, await context.NewPageAsync());
    }

    /// <summary>Opens the dashboard signed in with an operator key, as an operator's link does (<c>?key=</c>), and waits for the cluster.</summary>
    public static async Task<DashboardTab> OpenAsync(Chromium chromium, Uri silo, string key)
    {
        var tab = await NewAsync(chromium);
        var response = await tab.Page.GotoAsync($"{Address(silo)}?key={Uri.EscapeDataString(key)}");
        Assert.True(response is { Status: 200 }, $"the dashboard answered {response?.Status} to a good key");
        Assert.DoesNotContain("key=", tab.Page.Url, StringComparison.Ordinal); // the key does not stay in the address bar
        await tab.WaitForAsync("cluster");
        return tab;
    }

    /// <summary>Goes to a section as an operator does, by its link in the sidebar, and waits for its data.</summary>
    public async Task ShowAsync(string section)
    {
        await Page.Locator($".sidebar a[data-section='{section}']").ClickAsync();
        await WaitForAsync(section);
    }

    public async Task WaitForAsync(string section)
    {
        await Assertions.Expect(Page.Locator($"#section-{section}")).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator(Loaded[section]).First).ToBeVisibleAsync();
    }

    /// <summary>Saves what the tab shows, whole page, as a test artifact.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        // From the top: scrolled down (to a button clicked), the sticky header would be drawn across the middle.
        await Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        var path = Screenshots.PathFor(name);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    /// <summary>The visible text of the page, for asserting what a person reads.</summary>
    public async Task<string> TextAsync(string selector = "body") => await Page.Locator(selector).InnerTextAsync();

    public async Task<int> CountAsync(string selector) => await Page.Locator(selector).CountAsync();

    /// <summary>
    /// Every authentication challenge (<c>WWW-Authenticate</c>) the tab's requests get from now on, "url: challenge".
    /// </summary>
    public IReadOnlyCollection<string> CollectChallenges()
    {
        var challenges = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Page.Response += (_, response) =>
        {
            if (response.Headers.TryGetValue("www-authenticate", out var challenge))
                challenges.Enqueue($"{response.Url}: {challenge}");
        };
        return challenges;
    }

    /// <summary>
    /// The page was refused (so challenged), but never with <c>WWW-Authenticate: Basic</c> — on which a browser opens
    /// its own dialog over the page.
    /// </summary>
    public static void AssertNoBasicChallenge(IReadOnlyCollection<string> challenges)
    {
        Assert.NotEmpty(challenges);
        Assert.DoesNotContain(challenges, c => c.Contains(": Basic", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Marks the page, so that <see cref="WasReloadedAsync"/> can tell whether it was loaded again since.</summary>
    public async Task MarkAsync() => await Page.EvaluateAsync("() => { window.stillTheSamePage = true; }");

    public async Task<bool> WasReloadedAsync() => !await Page.EvaluateAsync<bool>("() => window.stillTheSamePage === true");

    /// <summary>The sign-in cookie the browser holds, if any.</summary>
    public async Task<BrowserContextCookiesResult?> SignInCookieAsync() => (await _context.CookiesAsync()).FirstOrDefault(c => c.Name == "orleanssync-dashboard");

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();

    private void Add(string error)
    {
        lock (_errors)
            _errors.Add(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {error}"));
    }
}

/// <summary>
/// Screenshots are test artifacts: <c>TestResults/screenshots/</c> beside the TRX files that CI keeps — the repository's
/// <c>TestResults/</c> folder (where Directory.Build.props sends test results), else the working directory's.
/// </summary>
public static class Screenshots
{
    public static string Folder { get; } = Create();

    public static string PathFor(string name) => System.IO.Path.Combine(Folder, $"{name}.png");

    private static string Create()
    {
        var root = Directory.GetCurrentDirectory();
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "OrleansSync.sln")))
            {
                root = directory.FullName;
                break;
            }
        }

        return Directory.CreateDirectory(System.IO.Path.Combine(root, "TestResults", "screenshots")).FullName;
    }
}
