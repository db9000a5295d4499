using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansSync.Runtime.Activation;

/// <summary>
/// Deactivates grains nobody has called for <see cref="GrainOptions.CollectionAge"/>. It looks once per
/// <see cref="GrainOptions.CollectionQuantum"/>, so calls pay only for setting a flag, never for a clock read.
/// </summary>
internal sealed class ActivationCollector(SiloRuntime runtime, IOptions<GrainOptions> options, ILogger<ActivationCollector> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.CollectionQuantum, runtime.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var collected = CollectIdle(settings.CollectionAge);
                if (collected > 0)
                    logger.LogDebug("Collected {Count} idle activations", collected);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal int CollectIdle(TimeSpan collectionAge)
    {
        var now = runtime.Time.GetTimestamp();
        var collected = 0;
        foreach (var activation in runtime.Directory.Snapshot())
        {
            if (activation.TryCollectIfIdle(now, collectionAge))
                collected++;
        }

        return collected;
    }
}
