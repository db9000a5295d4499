using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Calls;
using OrleansSync.Runtime.Metrics;

namespace OrleansSync.Runtime.Hosting;

/// <summary>
/// The receiving end of cross-silo calls. Only other nodes of the cluster call it; they prove it with the cluster
/// secret. Answers: 200 with the result, 204 for no result, 421 when this silo does not own the partition (the
/// sender looks again), 503 while the silo is not serving, problem details otherwise.
/// </summary>
public static class InternalGrainEndpoints
{
    public const string Pattern = "/internal/grains/{grainInterface}/{methodInterface}/{methodName}";

    public const string StatsPath = "/internal/silo/stats";

    public const string HistoryPath = "/internal/silo/history";

    public const string LogsPath = "/internal/silo/logs";

    /// <summary>The most log entries one answer of <see cref="LogsPath"/> holds.</summary>
    public const int MaxLogEntries = 1000;

    public static IEndpointConventionBuilder MapInternalGrainEndpoints(this IEndpointRouteBuilder endpoints)
        => endpoints.MapPost(Pattern, HandleAsync).ExcludeFromDescription();

    /// <summary>
    /// <c>GET /internal/silo/stats?seconds=60</c>: this silo's <see cref="SiloStatsSnapshot"/>, for the silo serving the
    /// dashboard. Asking counts as watching: collection runs here too until nobody has asked for a watch window.
    /// </summary>
    public static IEndpointConventionBuilder MapInternalSiloStats(this IEndpointRouteBuilder endpoints)
        => endpoints.MapGet(StatsPath, HandleStatsAsync).ExcludeFromDescription();

    /// <summary><c>GET /internal/silo/history</c>: this silo's <see cref="SiloHistorySnapshot"/>. Asking counts as watching.</summary>
    public static IEndpointConventionBuilder MapInternalSiloHistory(this IEndpointRouteBuilder endpoints)
        => endpoints.MapGet(HistoryPath, HandleHistoryAsync).ExcludeFromDescription();

    /// <summary>
    /// <c>GET /internal/silo/logs?after=120&amp;level=Information&amp;q=text&amp;take=200</c>: this silo's log entries as a
    /// <see cref="LogSlice"/>. Asking counts as watching: the silo keeps its log entries until nobody has asked for a
    /// watch window.
    /// </summary>
    public static IEndpointConventionBuilder MapInternalSiloLogs(this IEndpointRouteBuilder endpoints)
        => endpoints.MapGet(LogsPath, HandleLogsAsync).ExcludeFromDescription();

    private static async Task HandleStatsAsync(HttpContext http)
    {
        if (!await WatchedByClusterAsync(http))
            return;
        var seconds = int.TryParse(http.Request.Query["seconds"], out var asked) ? asked : 60;
        var snapshot = http.RequestServices.GetRequiredService<SiloStats>().Read(seconds);
        http.Response.StatusCode = StatusCodes.Status200OK;
        await http.Response.WriteAsJsonAsync(snapshot, SiloStatsJsonContext.Default.SiloStatsSnapshot, contentType: null, http.RequestAborted);
    }

    private static async Task HandleHistoryAsync(HttpContext http)
    {
        if (!await WatchedByClusterAsync(http))
            return;
        var history = http.RequestServices.GetRequiredService<SiloHistory>().Read();
        http.Response.StatusCode = StatusCodes.Status200OK;
        await http.Response.WriteAsJsonAsync(history, SiloStatsJsonContext.Default.SiloHistorySnapshot, contentType: null, http.RequestAborted);
    }

    private static async Task HandleLogsAsync(HttpContext http)
    {
        if (!await WatchedByClusterAsync(http))
            return;
        var query = http.Request.Query;
        long? after = null;
        if (query["after"].ToString() is { Length: > 0 } afterText)
        {
            if (!long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                await Problem(http, StatusCodes.Status400BadRequest, "Bad sequence", $"after is a log sequence number, not '{afterText}'.");
                return;
            }

            after = sequence;
        }

        var level = query["level"].ToString() is { Length: > 0 } asked ? asked : nameof(LogLevel.Trace);
        if (Enum.GetNames<LogLevel>().FirstOrDefault(n => n.Equals(level, StringComparison.OrdinalIgnoreCase)) is not { } name || !Enum.TryParse<LogLevel>(name, out var minimum))
        {
            await Problem(http, StatusCodes.Status400BadRequest, "Bad level", $"level is a log level name, not '{query["level"]}'.");
            return;
        }

        var take = int.TryParse(query["take"], NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? Math.Clamp(count, 1, MaxLogEntries) : MaxLogEntries;
        var slice = http.RequestServices.GetRequiredService<SiloLog>().Read(new LogQuery(after, minimum, query["q"].ToString() is { Length: > 0 } text ? text : null, take));
        http.Response.StatusCode = StatusCodes.Status200OK;
        await http.Response.WriteAsJsonAsync(slice, SiloStatsJsonContext.Default.LogSlice, contentType: null, http.RequestAborted);
    }

    /// <summary>Only nodes of this cluster may ask (401 otherwise); their asking keeps this silo's collection on.</summary>
    private static async Task<bool> WatchedByClusterAsync(HttpContext http)
    {
        var services = http.RequestServices;
        if (!IsAuthorized(http.Request, services.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterSecret))
        {
            await Problem(http, StatusCodes.Status401Unauthorized, "Cluster secret required", "Internal endpoints accept only nodes of this cluster.");
            return false;
        }

        services.GetRequiredService<DashboardWatch>().Touch();
        return true;
    }

    private static async Task HandleAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var secret = services.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterSecret;
        if (!IsAuthorized(http.Request, secret))
        {
            await Problem(http, StatusCodes.Status401Unauthorized, "Cluster secret required", "Internal endpoints accept only nodes of this cluster.");
            return;
        }

        var control = services.GetRequiredService<SiloControl>();
        await control.WaitWhilePausedAsync(http.RequestAborted);
        if (!control.IsStarted || control.IsKilled)
        {
            await Problem(http, StatusCodes.Status503ServiceUnavailable, "Silo not serving", "The silo has not joined the cluster yet, or is leaving it.");
            return;
        }

        var grainInterface = (string)http.GetRouteValue("grainInterface")!;
        var methodInterface = (string)http.GetRouteValue("methodInterface")!;
        var methodName = (string)http.GetRouteValue("methodName")!;
        var key = http.Request.Query["key"].ToString();
        if (!GrainInterfaceRegistry.TryGetInterface(grainInterface, out var description)
            || !GrainInterfaceRegistry.TryGetMethod(methodInterface, methodName, out var method)
            || !method.InterfaceType.IsAssignableFrom(description.InterfaceType)
            || string.IsNullOrEmpty(key))
        {
            await Problem(http, StatusCodes.Status404NotFound, "Unknown grain method", $"{methodInterface}.{methodName} is not a method of grain interface {grainInterface} on this silo, or the key is missing.");
            return;
        }

        var runtime = services.GetRequiredService<SiloRuntime>();
        var json = services.GetRequiredService<IOptions<GrainSerializationOptions>>().Value.JsonSerializerOptions;
        var arguments = await ReadBodyAsync(http.Request, http.RequestAborted);
        try
        {
            if (http.Request.Headers[RemoteGrainCallTransport.RequestContextHeader].ToString() is { Length: > 0 } context)
                RequestContext.Import(JsonSerializer.Deserialize<Dictionary<string, string>>(context));
            var reference = runtime.GrainFactory.CreateReference(description.InterfaceType, key, grainType: null);
            var result = await method.InvokeFromWireAsync(runtime.Dispatcher, reference, arguments, json);
            if (result is null)
            {
                http.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = result.Length;
            await http.Response.Body.WriteAsync(result, http.RequestAborted);
        }
        catch (NotOwnerException exception)
        {
            await Problem(http, StatusCodes.Status421MisdirectedRequest, "Not owner", exception.Message);
        }
        catch (JsonException exception)
        {
            await Problem(http, StatusCodes.Status400BadRequest, "Unreadable request", exception.Message);
        }
        catch (Exception exception)
        {
            var type = exception.GetType();
            await Results.Problem(
                statusCode: StatusCodes.Status500InternalServerError,
                title: "Grain call failed",
                detail: $"{method} on '{key}' threw {type.Name}: {exception.Message}",
                extensions: new Dictionary<string, object?>
                {
                    ["exceptionType"] = $"{type.FullName}, {type.Assembly.GetName().Name}",
                    ["exceptionMessage"] = exception.Message,
                }).ExecuteAsync(http);
        }
    }

    private static bool IsAuthorized(HttpRequest request, string? secret)
    {
        if (string.IsNullOrEmpty(secret))
            return false;
        var presented = request.Headers[RemoteGrainCallTransport.SecretHeader].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(secret));
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            if (read.IsCompleted)
            {
                var body = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return body;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static Task Problem(HttpContext http, int status, string title, string detail)
        => Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(http);
}
