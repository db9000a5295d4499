using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansSync.Runtime.Metrics;

/// <summary>
/// Hooks the dashboard's collectors in when the silo starts: the <see cref="SiloLog"/> into the logger factory, and the
/// <see cref="SiloHistory"/> onto the watch's samples. The log is added to the factory here rather than registered as a
/// logger provider so that a host clearing its providers (<c>builder.Logging.ClearProviders()</c>, to log its own way)
/// keeps the dashboard's log view.
/// </summary>
internal sealed class DashboardCollection(ILoggerFactory loggers, SiloLog log, SiloHistory history) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        loggers.AddProvider(log);
        history.Attach();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        history.Detach();
        return Task.CompletedTask;
    }
}
