using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Hosting;
using OrleansSync.Runtime.Metrics;

namespace OrleansSync.Dashboard.Api;

/// <summary>
/// <c>GET /dashboard/api/logs?after={cursor}&amp;level=Information&amp;q=text&amp;silo={siloId}&amp;take=200</c>: the
/// silos' log entries (the Orleans Dashboard's log stream, cluster-wide), oldest first. Each silo keeps its own
/// (<see cref="SiloLog"/>, only while someone watches) and numbers them; the serving silo asks every live silo for
/// those after its number in the cursor, in parallel, and merges them by time. The answer's <c>cursor</c> —
/// <c>{siloId}:{sequence}</c> per silo, comma-separated — is the <c>after</c> of the next request: any silo can serve
/// it, so paging holds behind a load balancer, and a silo that did not answer in time keeps its place.
/// </summary>
internal static class LogEndpoints
{
    public const int DefaultTake = 200;
    public const int MaxText = 200;
    private const int MaxCursorSilos = 256;

    public static RouteGroupBuilder MapLogEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/logs", ListAsync);
        return api;
    }

    private static async Task<IResult> ListAsync(
        ClusterStatsReader reader,
        DashboardWatch watch,
        TimeProvider time,
        IOptions<DashboardOptions> options,
        string? after,
        string? level,
        string? q,
        string? silo,
        string? take,
        CancellationToken cancellationToken)
    {
        if (!TryParseCursor(after, out var cursor))
            return DashboardApi.BadRequest("Bad cursor", $"after is the cursor of the previous answer ('{{siloId}}:{{sequence}}', comma-separated), not '{after}'.");
        if (!TryParseLevel(level, out var minimum))
            return DashboardApi.BadRequest("Bad level", $"level is Trace, Debug, Information, Warning, Error or Critical, not '{level}'.");
        if (q is { Length: > MaxText })
            return DashboardApi.BadRequest("Search text too long", $"q has at most {MaxText} characters.");
        if (!DashboardApi.TryInt(take, DefaultTake, 1, InternalGrainEndpoints.MaxLogEntries, out var count))
            return DashboardApi.BadRequest("Bad page", $"take is a whole number from 1 to {InternalGrainEndpoints.MaxLogEntries}, not '{take}'.");
        if (silo is { Length: 0 })
            silo = null;

        var text = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        var answers = await reader.ReadLogsAsync(silo, id => new LogQuery(cursor.TryGetValue(id, out var seen) ? seen : null, minimum, text, count), options.Value.SiloStatsTimeout, cancellationToken);
        if (silo is not null && answers.Count == 0)
            return DashboardApi.BadRequest("No such silo", $"No silo '{silo}' in the cluster's membership.");

        var lines = answers
            .Where(a => a.Value is not null)
            .SelectMany(a => a.Value!.Entries.Select(e => new LogLine(a.Silo.SiloId, e.Sequence, e.At, e.Level, e.Category, e.EventId, e.EventName, e.Message, e.Exception)))
            .OrderBy(l => l.At)
            .ThenBy(l => l.SiloId, StringComparer.Ordinal)
            .ThenBy(l => l.Sequence)
            .ToList();
        var skipped = answers.Sum(a => a.Value?.Skipped ?? 0);
        if (lines.Count > count)
        {
            if (cursor.Count > 0)
                skipped += lines.Count - count;
            lines.RemoveRange(0, lines.Count - count);
        }

        // Each silo that answered moves on to its newest entry; one that did not stays where the page had got to.
        var next = new List<KeyValuePair<string, long>>();
        foreach (var answer in answers)
        {
            if (answer.Value is { } slice)
                next.Add(new(answer.Silo.SiloId, slice.Newest));
            else if (cursor.TryGetValue(answer.Silo.SiloId, out var seen))
                next.Add(new(answer.Silo.SiloId, seen));
        }

        return Results.Ok(new LogsView(
            time.GetUtcNow(),
            watch.WatchedSince,
            FormatCursor(next),
            skipped,
            lines,
            [.. answers.Where(a => a.Problem is not null).Select(a => new SiloProblem(a.Silo.SiloId, a.Problem!))]));
    }

    /// <summary>A level by its name (any case), Information when absent; not None, and not a number.</summary>
    private static bool TryParseLevel(string? text, out LogLevel level)
    {
        level = LogLevel.Information;
        if (string.IsNullOrEmpty(text))
            return true;
        var name = Enum.GetNames<LogLevel>().FirstOrDefault(n => n.Equals(text, StringComparison.OrdinalIgnoreCase) && n != nameof(LogLevel.None));
        return name is not null && Enum.TryParse(name, out level);
    }

    /// <summary>"silo-a:120,silo-b:88" → {silo-a: 120, silo-b: 88}; empty for none.</summary>
    internal static bool TryParseCursor(string? text, out Dictionary<string, long> cursor)
    {
        cursor = new Dictionary<string, long>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(text))
            return true;
        var parts = text.Split(',');
        if (parts.Length > MaxCursorSilos)
            return false;
        foreach (var part in parts)
        {
            var colon = part.LastIndexOf(':');
            if (colon <= 0
                || !long.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                || !cursor.TryAdd(part[..colon], sequence))
                return false;
        }

        return true;
    }

    internal static string FormatCursor(IEnumerable<KeyValuePair<string, long>> cursor)
        => string.Join(',', cursor.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}:{p.Value}")));
}
