using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansSync.Runtime.Cluster;

namespace OrleansSync.Runtime.Metrics;

/// <summary>
/// Adds a section of its own to this silo's stats: something only the silo's process knows, such as the rate-limit
/// budgets of the companies whose grains it hosts. Read only when the dashboard asks.
/// </summary>
public interface ISiloStatsContributor
{
    /// <summary>The section's name in <see cref="SiloStatsSnapshot.Sections"/>.</summary>
    string Name { get; }

    JsonElement Read();
}

/// <summary>
/// One silo as it sees itself, for the dashboard: CPU (while watched), memory, partitions, activations by grain type,
/// the grain calls of the last seconds, and the sections contributors add.
/// </summary>
public sealed record SiloStatsSnapshot(
    string SiloId,
    DateTimeOffset At,
    double? CpuPercent,
    long MemoryBytes,
    long GcHeapBytes,
    int PartitionsOwned,
    IReadOnlyDictionary<string, int> ActivationsByType,
    DateTimeOffset? CollectingSince,
    GrainCallWindow Calls,
    IReadOnlyDictionary<string, JsonElement> Sections);

/// <summary>Reads this silo's <see cref="SiloStatsSnapshot"/>; served to the other silos at <c>GET /internal/silo/stats</c>.</summary>
public sealed class SiloStats
{
    private readonly SiloRuntime _runtime;
    private readonly ProcessSampler _sampler;
    private readonly DashboardWatch _watch;
    private readonly GrainCallMetrics _calls;
    private readonly IEnumerable<ISiloStatsContributor> _contributors;

    internal SiloStats(SiloRuntime runtime, ProcessSampler sampler, DashboardWatch watch, GrainCallMetrics calls, IEnumerable<ISiloStatsContributor> contributors)
    {
        _runtime = runtime;
        _sampler = sampler;
        _watch = watch;
        _calls = calls;
        _contributors = contributors;
    }

    public string SiloId => _runtime.SiloId;

    /// <summary>The stats now, with the grain calls of the last <paramref name="seconds"/> whole seconds.</summary>
    public SiloStatsSnapshot Read(int seconds)
    {
        var byType = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var activation in _runtime.Directory.Snapshot())
        {
            if (activation.IsValid)
                byType[activation.GrainId.Type.Value] = byType.GetValueOrDefault(activation.GrainId.Type.Value) + 1;
        }

        return new SiloStatsSnapshot(
            _runtime.SiloId,
            _runtime.Time.GetUtcNow(),
            _sampler.CpuPercent,
            Environment.WorkingSet,
            GC.GetTotalMemory(forceFullCollection: false),
            _runtime.Partitions.OwnedPartitions().Count,
            byType,
            _watch.WatchedSince,
            _calls.Read(seconds),
            _contributors.ToDictionary(c => c.Name, c => c.Read()));
    }
}

/// <summary>The stats', history's and log's JSON between silos, generated at build time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SiloStatsSnapshot))]
[JsonSerializable(typeof(SiloHistorySnapshot))]
[JsonSerializable(typeof(LogSlice))]
internal sealed partial class SiloStatsJsonContext : JsonSerializerContext;
