using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansSync.Bench.Hosting;

/// <summary>
/// One of our hosts (silo, api, sandbox) running in the bench process on a free loopback port, built by the host's own
/// <c>CreateApp</c> — the same code <c>dotnet run</c> runs — and stopped on dispose. Logs go to <see cref="BenchLog"/>,
/// which keeps warnings and errors and drops the rest: writing a line per invoice change would cost more than the work.
/// </summary>
internal sealed class BenchApp : IAsyncDisposable
{
    private BenchApp(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<BenchApp> StartAsync(Func<string[], Action<WebApplicationBuilder>?, WebApplication> create, BenchLog log, IEnumerable<string> args, Action<WebApplicationBuilder>? configure = null)
    {
        var app = create(["--urls=http://127.0.0.1:0", .. args], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddProvider(log);
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
        return new BenchApp(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await App.StopAsync(stopping.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await App.DisposeAsync();
    }
}
