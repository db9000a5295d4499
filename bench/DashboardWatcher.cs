using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Dashboard;
using OrleansSync.Runtime.Metrics;
using OrleansSync.Runtime.Testing;

namespace OrleansSync.Bench;

/// <summary>
/// An operator with the dashboard open on the Grains section, as the page behaves: the live stream (<c>api/live</c>)
/// held open, and <c>api/grains?seconds=60</c> with <c>api/overview</c> fetched every 2 seconds. While it watches,
/// the silo's collection is on — its activations observe calls for the metrics — and its numbers are read and merged
/// every 2 seconds.
/// </summary>
public sealed class DashboardWatcher : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private static readonly Dictionary<string, string?> Settings = new()
    {
        // No key to manage in a benchmark; the auth handler still runs on every request.
        ["Dashboard:AllowAnonymous"] = "true",
    };

    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _polling;
    private readonly Task _live;

    private DashboardWatcher(Uri dashboard)
    {
        _http = new HttpClient { BaseAddress = dashboard, Timeout = Timeout.InfiniteTimeSpan }; // the live stream stays open
        _polling = PollAsync(_stop.Token);
        _live = ListenAsync(_stop.Token);
    }

    /// <summary>Requests served, for the report: a watcher that polled nothing measured nothing.</summary>
    public int Polls { get; private set; }

    /// <summary>Serves the dashboard from every silo of the cluster, as the product does (<c>silo/Program.cs</c>).</summary>
    public static void AddDashboard(TestClusterOptions options)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        var configureServices = options.ConfigureServices;
        options.ConfigureServices = services =>
        {
            configureServices?.Invoke(services);
            services.AddDataProtection();
            services.AddOrleansSyncDashboard(configuration);
        };
        var configureApp = options.ConfigureApp;
        options.ConfigureApp = app =>
        {
            configureApp?.Invoke(app);
            app.UseOrleansSyncDashboard();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapOrleansSyncDashboard();
        };
    }

    /// <summary>Opens the dashboard on a silo, and waits until its collection is on.</summary>
    public static async Task<DashboardWatcher> OpenAsync(TestSilo silo)
    {
        var address = silo.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var watcher = new DashboardWatcher(new Uri(new Uri(address.TrimEnd('/') + "/"), "dashboard/"));
        var watch = silo.Services.GetRequiredService<DashboardWatch>();
        for (var waited = 0; !watch.IsOn; waited += 50)
        {
            if (waited > 10_000)
                throw new InvalidOperationException("The dashboard was polled but the silo's collection did not switch on.");
            await Task.Delay(50);
        }

        return watcher;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_polling, _live);
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task PollAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(PollInterval);
        do
        {
            // As the page's Grains section does: both at once, then wait.
            await Task.WhenAll(GetAsync("api/grains?seconds=60", stop), GetAsync("api/overview", stop));
            Polls++;
        }
        while (await Wait(timer, stop));
    }

    private async Task GetAsync(string path, CancellationToken stop)
    {
        try
        {
            using var response = await _http.GetAsync(path, stop);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        try
        {
            using var response = await _http.GetAsync("api/live", HttpCompletionOption.ResponseHeadersRead, stop);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync(stop);
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer, stop) > 0)
            {
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static async Task<bool> Wait(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
