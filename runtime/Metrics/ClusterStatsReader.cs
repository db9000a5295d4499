using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Calls;
using OrleansSync.Runtime.Cluster;

namespace OrleansSync.Runtime.Metrics;

/// <summary>A silo of the membership table, its stats when it answered in time, and why not when it did not.</summary>
public sealed record SiloStatsResult(SiloView Silo, bool Self, SiloStatsSnapshot? Stats, string? Problem);

/// <summary>
/// The stats of every live silo, for the silo serving the dashboard: its own read in place, the others' asked for at
/// <c>GET /internal/silo/stats</c> in parallel — with the cluster secret, as grain calls between silos are — each
/// within a short timeout, so that one slow or dead silo shows as such instead of holding up the page. In the
/// single-process default that is just this silo.
/// </summary>
public sealed class ClusterStatsReader
{
    private readonly IClusterStatus _status;
    private readonly SiloStats _local;
    private readonly IHttpClientFactory? _http;
    private readonly string _secret;
    private readonly DashboardWatch _watch;

    internal ClusterStatsReader(IClusterStatus status, SiloStats local, IHttpClientFactory? http, IOptions<ClusterOptions> cluster, DashboardWatch watch)
    {
        _status = status;
        _local = local;
        _http = http;
        _secret = cluster.Value.ClusterSecret ?? "";
        _watch = watch;
    }

    public async Task<IReadOnlyList<SiloStatsResult>> ReadAsync(int seconds, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _watch.Touch();
        var silos = await _status.ReadSilosAsync(cancellationToken);
        return await Task.WhenAll(silos.Select(silo => ReadAsync(silo, seconds, timeout, cancellationToken)));
    }

    private async Task<SiloStatsResult> ReadAsync(SiloView silo, int seconds, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (silo.SiloId == _local.SiloId)
            return new SiloStatsResult(silo, Self: true, _local.Read(seconds), null);
        if (silo.Status is SiloStatus.Stopped or SiloStatus.Dead)
            return new SiloStatsResult(silo, Self: false, null, $"The silo is {silo.Status.ToString().ToLowerInvariant()}.");
        if (_http is null)
            return new SiloStatsResult(silo, Self: false, null, "This silo is not part of a cluster.");

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(silo.Address, $"{InternalGrainEndpointsPath}?seconds={seconds}"));
            request.Headers.Add(RemoteGrainCallTransport.SecretHeader, _secret);
            using var response = await _http.CreateClient(RemoteGrainCallTransport.HttpClientName).SendAsync(request, limit.Token);
            if (!response.IsSuccessStatusCode)
                return new SiloStatsResult(silo, Self: false, null, $"The silo answered {(int)response.StatusCode}.");
            var stats = await response.Content.ReadFromJsonAsync(SiloStatsJsonContext.Default.SiloStatsSnapshot, limit.Token);
            return new SiloStatsResult(silo, Self: false, stats, stats is null ? "The silo answered nothing." : null);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new SiloStatsResult(silo, Self: false, null, $"The silo did not answer within {timeout.TotalSeconds:0.#} s.");
        }
        catch (Exception exception) when (exception is HttpRequestException or System.Text.Json.JsonException)
        {
            return new SiloStatsResult(silo, Self: false, null, $"The silo could not be asked: {exception.Message}");
        }
    }

    private static string InternalGrainEndpointsPath => Hosting.InternalGrainEndpoints.StatsPath.TrimStart('/');
}
