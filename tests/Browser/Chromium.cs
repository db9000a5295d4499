using Microsoft.Playwright;

namespace OrleansSync.Tests.Browser;

/// <summary>
/// Debian's chromium, driven by Playwright. Playwright's own browser builds cannot be downloaded here, so the tests use
/// the one the system package installs (<c>.ci/run</c> installs it when it is missing). Without it the tests fail and
/// say how to install it: a browser test that skips itself would prove nothing.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    /// <summary>Where to look, in order: <c>ORLEANSSYNC_CHROMIUM</c>, then <c>chromium</c> on the PATH.</summary>
    public const string ExecutableVariable = "ORLEANSSYNC_CHROMIUM";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium was not started.");

    public async Task InitializeAsync()
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException(
            "Chromium is not installed: the dashboard's browser tests drive Debian's chromium. Install it with "
            + "`apt-get install chromium` (.ci/run does so when it runs as root), or point "
            + $"{ExecutableVariable} at a Chromium executable.");

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // Chromium's sandbox refuses to start as root, which is how CI runs.
            Args = RunningAsRoot() ? ["--no-sandbox"] : [],
        });
    }

    /// <summary>A fresh browser profile: no cookies, no cache, the size of a laptop screen.</summary>
    public async Task<IBrowserContext> NewContextAsync()
        => await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });

    public async Task DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    private static string? FindExecutable()
    {
        if (Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } configured)
            return File.Exists(configured) ? configured : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(directory => Path.Combine(directory, "chromium"))
            .FirstOrDefault(File.Exists);
    }

    private static bool RunningAsRoot()
    {
        // /proc/self/status: "Uid:\t<real>\t<effective>\t…".
        const string status = "/proc/self/status";
        if (!File.Exists(status))
            return false;
        var uid = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return uid?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2) == "0";
    }
}
