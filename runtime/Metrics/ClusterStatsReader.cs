using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Calls;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Hosting;

namespace OrleansSync.Runtime.Metrics;

/// <summary>A silo of the membership table, its stats when it answered in time, and why not when it did not.</summary>
public sealed record SiloStatsResult(SiloView Silo, bool Self, SiloStatsSnapshot? Stats, string? Problem);

/// <summary>A silo of the membership table, what it answered when it did in time, and why not when it did not.</summary>
public sealed record SiloAnswer<T>(SiloView Silo, bool Self, T? Value, string? Problem)
    where T : class;

/// <summary>
/// What the silo serving the dashboard reads of every live silo — stats, history, log — its own read in place, the
/// others' asked for at <c>/internal/silo/…</c> in parallel (<see cref="InternalGrainEndpoints"/>) — with the cluster
/// secret, as grain calls between silos are — each within a short timeout, so that one slow or dead silo shows as such
/// instead of holding up the page. In the single-process default that is just this silo.
/// </summary>
public sealed class ClusterStatsReader
{
    private readonly IClusterStatus _status;
    private readonly SiloStats _local;
    private readonly SiloHistory _history;
    private readonly SiloLog _log;
    private readonly IHttpClientFactory? _http;
    private readonly string _secret;
    private readonly DashboardWatch _watch;

    internal ClusterStatsReader(IClusterStatus status, SiloStats local, SiloHistory history, SiloLog log, IHttpClientFactory? http, IOptions<ClusterOptions> cluster, DashboardWatch watch)
    {
        _status = status;
        _local = local;
        _history = history;
        _log = log;
        _http = http;
        _secret = cluster.Value.ClusterSecret ?? "";
        _watch = watch;
    }

    public async Task<IReadOnlyList<SiloStatsResult>> ReadAsync(int seconds, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _watch.Touch();
        var silos = await _status.ReadSilosAsync(cancellationToken);
        var answers = await Task.WhenAll(silos.Select(silo => AskAsync(
            silo,
            string.Create(CultureInfo.InvariantCulture, $"{InternalGrainEndpoints.StatsPath}?seconds={seconds}"),
            () => _local.Read(seconds),
            SiloStatsJsonContext.Default.SiloStatsSnapshot,
            timeout,
            cancellationToken)));
        return [.. answers.Select(a => new SiloStatsResult(a.Silo, a.Self, a.Value, a.Problem))];
    }

    /// <summary>One silo's samples of the last minutes; null when the membership table has no such silo.</summary>
    public async Task<SiloAnswer<SiloHistorySnapshot>?> ReadHistoryAsync(string siloId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _watch.Touch();
        var silo = (await _status.ReadSilosAsync(cancellationToken)).FirstOrDefault(s => s.SiloId == siloId);
        return silo is null
            ? null
            : await AskAsync(silo, InternalGrainEndpoints.HistoryPath, _history.Read, SiloStatsJsonContext.Default.SiloHistorySnapshot, timeout, cancellationToken);
    }

    /// <summary>
    /// The log entries of every live silo (or of <paramref name="onlySilo"/>, stopped or not), each silo read with the
    /// query <paramref name="queryFor"/> gives for its id. Stopped and dead silos' entries went with them: they are left
    /// out unless asked for by name.
    /// </summary>
    public async Task<IReadOnlyList<SiloAnswer<LogSlice>>> ReadLogsAsync(string? onlySilo, Func<string, LogQuery> queryFor, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _watch.Touch();
        var silos = (await _status.ReadSilosAsync(cancellationToken))
            .Where(s => onlySilo is null ? s.Status is not (SiloStatus.Stopped or SiloStatus.Dead) : s.SiloId == onlySilo);
        return await Task.WhenAll(silos.Select(silo =>
        {
            var query = queryFor(silo.SiloId);
            var path = InternalGrainEndpoints.LogsPath + QueryString.Create(new Dictionary<string, string?>
            {
                ["after"] = query.After?.ToString(CultureInfo.InvariantCulture),
                ["level"] = query.Minimum.ToString(),
                ["q"] = query.Text,
                ["take"] = query.Take.ToString(CultureInfo.InvariantCulture),
            }.Where(p => p.Value is not null));
            return AskAsync(silo, path, () => _log.Read(query), SiloStatsJsonContext.Default.LogSlice, timeout, cancellationToken);
        }));
    }

    /// <summary>This silo's answer read in place; another's asked for at <paramref name="path"/>, within <paramref name="timeout"/>.</summary>
    private async Task<SiloAnswer<T>> AskAsync<T>(SiloView silo, string path, Func<T> local, JsonTypeInfo<T> json, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        if (silo.SiloId == _local.SiloId)
            return new SiloAnswer<T>(silo, Self: true, local(), null);
        if (silo.Status is SiloStatus.Stopped or SiloStatus.Dead)
            return new SiloAnswer<T>(silo, Self: false, null, $"The silo is {silo.Status.ToString().ToLowerInvariant()}.");
        if (_http is null)
            return new SiloAnswer<T>(silo, Self: false, null, "This silo is not part of a cluster.");

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(silo.Address, path.TrimStart('/')));
            request.Headers.Add(RemoteGrainCallTransport.SecretHeader, _secret);
            using var response = await _http.CreateClient(RemoteGrainCallTransport.HttpClientName).SendAsync(request, limit.Token);
            if (!response.IsSuccessStatusCode)
                return new SiloAnswer<T>(silo, Self: false, null, $"The silo answered {(int)response.StatusCode}.");
            var value = await response.Content.ReadFromJsonAsync(json, limit.Token);
            return new SiloAnswer<T>(silo, Self: false, value, value is null ? "The silo answered nothing." : null);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new SiloAnswer<T>(silo, Self: false, null, $"The silo did not answer within {timeout.TotalSeconds:0.#} s.");
        }
        catch (Exception exception) when (exception is HttpRequestException or System.Text.Json.JsonException)
        {
            return new SiloAnswer<T>(silo, Self: false, null, $"The silo could not be asked: {exception.Message}");
        }
    }
}
