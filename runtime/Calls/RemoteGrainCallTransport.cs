using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansSync.Runtime.Calls;

/// <summary>
/// Sends a grain call to the silo that owns the grain's partition:
/// <c>POST {silo}/internal/grains/{grain interface}/{method interface}/{method}?key=…</c>
/// with the arguments as JSON and the cluster secret in a header.
/// </summary>
/// <remarks>
/// A call is sent again only when it certainly did not run: the silo answered "not owner" (421) or "not ready" (503),
/// or no connection could be made. Then the placement is refreshed and the call waits, with backoff, for an owner —
/// which is how calls ride through a failover — until the response timeout. A connection lost after the request went
/// out is reported, not retried: the call may have run.
/// </remarks>
internal sealed partial class RemoteGrainCallTransport(
    PlacementDirectory placement,
    IHttpClientFactory httpClientFactory,
    IOptions<ClusterOptions> clusterOptions,
    IOptions<GrainOptions> grainOptions,
    IOptions<GrainSerializationOptions> serialization,
    TimeProvider time,
    ILogger<RemoteGrainCallTransport> logger)
{
    public const string HttpClientName = "OrleansSync.Cluster";
    public const string SecretHeader = "X-OrleansSync-Cluster-Secret";
    public const string RequestContextHeader = "X-OrleansSync-Request-Context";

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly string _secret = clusterOptions.Value.ClusterSecret ?? "";
    private readonly TimeSpan _timeout = grainOptions.Value.ResponseTimeout;
    private readonly JsonSerializerOptions _json = serialization.Value.JsonSerializerOptions;

    public async Task<TResult> InvokeAsync<TGrain, TArgs, TResult>(GrainReference target, GrainMethod<TGrain, TArgs, TResult> method, TArgs args)
        where TGrain : class, IGrain
    {
        var body = typeof(TArgs) == typeof(NoArgs) ? null : JsonSerializer.SerializeToUtf8Bytes(args, _json);
        // The grain is named through the reference's interface (which names its class); the method through the
        // interface that declares it, which may be a base interface.
        var path = $"internal/grains/{Uri.EscapeDataString(GrainInterfaceRegistry.WireNameOf(target.InterfaceType))}/{Uri.EscapeDataString(method.InterfaceName)}/{Uri.EscapeDataString(method.Name)}?key={Uri.EscapeDataString(target.Key)}";
        var requestContext = RequestContext.Export() is { } values ? JsonSerializer.Serialize(values) : null;
        var client = httpClientFactory.CreateClient(HttpClientName);

        using var timeout = _timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(_timeout, time);
        var delay = FirstRetryDelay;
        var lastProblem = "no silo owns the partition";
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                if (await placement.GetOwnerAsync(target.Partition, refresh: attempt > 0, timeout.Token) is { } owner)
                {
                    var attemptResult = await SendAsync<TResult>(client, owner, path, body, requestContext, method, target, timeout.Token);
                    if (attemptResult.Answered)
                        return attemptResult.Result;
                    lastProblem = attemptResult.Problem!;
                }

                LogRetry(method.ToString(), target.Key, lastProblem);
                await Task.Delay(delay, time, timeout.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"{method} on grain '{target.Key}' did not answer within {_timeout}: {lastProblem}.");
        }
    }

    /// <summary>One attempt. Either the call was answered (a result, or an exception thrown here), or it certainly did not run.</summary>
    private async Task<Attempt<TResult>> SendAsync<TResult>(HttpClient client, Cluster.PartitionPlacement owner, string path, byte[]? body, string? requestContext,
        GrainMethod method, GrainReference target, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(owner.Address, path));
        request.Headers.Add(SecretHeader, _secret);
        if (requestContext is not null)
            request.Headers.Add(RequestContextHeader, requestContext);
        if (body is not null)
            request.Content = new ByteArrayContent(body) { Headers = { ContentType = Json } };

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            // Nothing was sent: the owner is gone. Wait for its partitions to move.
            return Attempt<TResult>.NotRun($"silo {owner.SiloId} at {owner.Address} is unreachable ({exception.Message})");
        }
        catch (HttpRequestException exception)
        {
            throw new GrainCallDeliveryException($"{method} on '{target.Key}': the connection to silo {owner.SiloId} failed after the call was sent; it may or may not have run.", exception);
        }

        using (response)
        {
            return response.StatusCode switch
            {
                HttpStatusCode.OK => Attempt<TResult>.Done((await response.Content.ReadFromJsonAsync<TResult>(_json, cancellationToken))!),
                HttpStatusCode.NoContent => Attempt<TResult>.Done(default!),
                HttpStatusCode.MisdirectedRequest => Attempt<TResult>.NotRun($"silo {owner.SiloId} no longer owns partition {target.Partition}"),
                HttpStatusCode.ServiceUnavailable => Attempt<TResult>.NotRun($"silo {owner.SiloId} is not serving"),
                _ => throw await ReadFailureAsync(response, method, target, owner.SiloId),
            };
        }
    }

    private readonly record struct Attempt<TResult>(bool Answered, TResult Result, string? Problem)
    {
        public static Attempt<TResult> Done(TResult result) => new(true, result, null);

        public static Attempt<TResult> NotRun(string problem) => new(false, default!, problem);
    }

    /// <summary>Turns the problem details a silo answers with into the exception the grain threw, where that type can be recreated.</summary>
    private async Task<Exception> ReadFailureAsync(HttpResponseMessage response, GrainMethod method, GrainReference target, string siloId)
    {
        ProblemDetails? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(_json);
        }
        catch (JsonException)
        {
        }

        if (response.StatusCode == HttpStatusCode.Unauthorized)
            return new GrainCallDeliveryException($"Silo {siloId} refused the cluster secret; check Cluster:ClusterSecret on every node.");

        var typeName = problem?.Extensions.TryGetValue("exceptionType", out var type) == true ? type?.ToString() : null;
        var message = problem?.Extensions.TryGetValue("exceptionMessage", out var text) == true ? text?.ToString() : null;
        if (typeName is null || message is null)
            return new GrainCallDeliveryException($"{method} on '{target.Key}': silo {siloId} answered {(int)response.StatusCode} {problem?.Detail ?? problem?.Title}");

        return RecreateException(typeName, message) ?? new RemoteGrainException(typeName, message);
    }

    /// <summary>Recreates exceptions of types this process knows that take a message, such as <see cref="InconsistentStateException"/>.</summary>
    private static Exception? RecreateException(string assemblyQualifiedName, string message)
    {
        var type = Type.GetType(assemblyQualifiedName, throwOnError: false);
        if (type is null || !typeof(Exception).IsAssignableFrom(type) || type.IsAbstract)
            return null;
        var constructor = type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, [typeof(string)]);
        return constructor?.Invoke([message]) as Exception;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retrying {Method} on '{Key}': {Problem}")]
    private partial void LogRetry(string method, string key, string problem);
}
