using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansSync.Runtime.Testing;

/// <summary>
/// One of our hosts (silo, api, sandbox) running in this process on a free loopback port, built by the host's own
/// <c>CreateApp</c> — the same code <c>dotnet run</c> runs — and stopped on dispose. For tests and benchmarks.
/// </summary>
public sealed class RunningApp : IAsyncDisposable
{
    private bool _stopped;

    private RunningApp(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<RunningApp> StartAsync(Func<string[], Action<WebApplicationBuilder>?, WebApplication> create, IEnumerable<string> args, Action<WebApplicationBuilder>? configure = null)
    {
        var app = create(["--urls=http://127.0.0.1:0", .. args], builder =>
        {
            builder.Logging.ClearProviders();
            configure?.Invoke(builder);
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningApp(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>
    /// Kills a silo as if its process died: its loops stop at once and its server drops every connection, without a
    /// goodbye to anyone. Its partitions move only when their leases expire.
    /// </summary>
    public async Task KillAsync()
    {
        _stopped = true;
        App.Services.GetRequiredService<Hosting.SiloControl>().Kill();
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        await App.StopAsync(now.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await App.StopAsync();
        }

        await App.DisposeAsync();
    }
}
