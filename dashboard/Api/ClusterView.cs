using Microsoft.Extensions.Options;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Metrics;

namespace OrleansSync.Dashboard.Api;

/// <summary>
/// The cluster as the dashboard shows it: silos (membership, and each live silo's own stats, asked for in parallel),
/// the partition map from the lease table, activations by grain type, and the grain calls merged across silos.
/// </summary>
internal sealed class ClusterView(
    ClusterStatsReader stats,
    DashboardWatch watch,
    IPartitionLeaseTable leases,
    IOptions<ClusterOptions> cluster,
    IOptions<DashboardOptions> options,
    DashboardMode mode,
    TimeProvider time)
{
    public async Task<Overview> OverviewAsync(DashboardAuth auth, CancellationToken cancellationToken)
    {
        var silos = await ReadStatsAsync(seconds: 1, cancellationToken);
        var now = time.GetUtcNow();
        var owners = new string?[cluster.Value.PartitionCount];
        foreach (var lease in await leases.ReadAllAsync())
        {
            if (lease.Partition < owners.Length && lease.OwnerSiloId is not null && lease.ExpiresAt > now)
                owners[lease.Partition] = lease.OwnerSiloId;
        }

        var rows = silos
            .OrderBy(s => s.Silo.Status is SiloStatus.Stopped or SiloStatus.Dead)
            .ThenBy(s => s.Silo.StartedAt)
            .Select(s => new SiloRow(
                s.Silo.SiloId,
                s.Silo.Address,
                s.Silo.Status,
                s.Silo.StartedAt,
                Math.Round(Math.Max(0, (now - s.Silo.StartedAt).TotalSeconds)),
                s.Stats?.CpuPercent,
                s.Stats?.MemoryBytes,
                s.Stats?.GcHeapBytes,
                s.Stats?.PartitionsOwned ?? s.Silo.PartitionsOwned,
                s.Stats?.ActivationsByType.Values.Sum() ?? s.Silo.Activations,
                s.Silo.LastHeartbeat,
                s.Self,
                s.Problem))
            .ToList();

        var byType = silos
            .Where(s => s.Stats is not null)
            .SelectMany(s => s.Stats!.ActivationsByType.Select(a => (Silo: s.Silo.SiloId, Type: a.Key, Count: a.Value)))
            .GroupBy(a => a.Type)
            .Select(g => new ActivationsOfType(g.Key, g.Sum(a => a.Count), g.ToDictionary(a => a.Silo, a => a.Count)))
            .OrderByDescending(a => a.Total)
            .ThenBy(a => a.GrainType, StringComparer.Ordinal)
            .ToList();

        return new Overview(now, mode.Name, auth, DevMode: !mode.Durable, rows, owners.Length, owners, byType);
    }

    public async Task<GrainCalls> GrainCallsAsync(int seconds, CancellationToken cancellationToken)
    {
        var silos = await ReadStatsAsync(seconds, cancellationToken);
        var window = GrainCallWindow.Merge([.. silos.Where(s => s.Stats is not null).Select(s => s.Stats!.Calls)]);

        var perSecond = window.Seconds
            .Select(s => new CallSecond(
                DateTimeOffset.FromUnixTimeSeconds(s.At),
                s.Calls,
                s.Exceptions,
                s.TimedWeight == 0 ? null : Milliseconds(s.TotalNanoseconds / (double)s.TimedWeight),
                LatencyHistogram.Percentile(s.Histogram, 0.99, s.MaxNanoseconds)))
            .ToList();
        var types = window.Methods
            .GroupBy(m => m.GrainType)
            .Select(g =>
            {
                var calls = g.Sum(m => m.Calls);
                var histogram = g.Select(m => m.Histogram).Aggregate(LatencyHistogram.Add);
                return new GrainTypeCalls(
                    g.Key,
                    Rate(calls, seconds),
                    Average(g.Sum(m => m.TotalNanoseconds), g.Sum(m => m.TimedWeight)),
                    LatencyHistogram.Percentile(histogram, 0.99, g.Max(m => m.MaxNanoseconds)),
                    g.Sum(m => m.Exceptions),
                    g.OrderByDescending(m => m.Calls)
                        .Select(m => new MethodCalls(m.Method, Rate(m.Calls, seconds), Average(m.TotalNanoseconds, m.TimedWeight), LatencyHistogram.Percentile(m.Histogram, 0.99, m.MaxNanoseconds), m.Exceptions))
                        .ToList());
            })
            .OrderByDescending(t => t.CallsPerSecond)
            .ThenBy(t => t.GrainType, StringComparer.Ordinal)
            .ToList();
        return new GrainCalls(watch.IsOn, watch.WatchedSince, perSecond, types);
    }

    /// <summary>Every silo's stats, each within <see cref="DashboardOptions.SiloStatsTimeout"/>.</summary>
    public Task<IReadOnlyList<SiloStatsResult>> ReadStatsAsync(int seconds, CancellationToken cancellationToken)
        => stats.ReadAsync(seconds, options.Value.SiloStatsTimeout, cancellationToken);

    private static double Rate(long calls, int seconds) => Math.Round(calls / (double)seconds, 2);

    /// <summary>The average of timed calls in milliseconds (0 before any call was timed).</summary>
    private static double Average(long totalNanoseconds, long timedWeight) => timedWeight == 0 ? 0 : Milliseconds(totalNanoseconds / (double)timedWeight);

    private static double Milliseconds(double nanoseconds) => Math.Round(nanoseconds / 1e6, 4);
}
