using System.Buffers;
using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansSync.Api.Hosting;

/// <summary>
/// Writes a <c>text/event-stream</c> response: the headers at once (a client knows it is connected before the first
/// event), then each item as it comes, until the client goes away or this node stops — which ends every stream, so
/// that stopping need not wait for clients (they reconnect, to another node if need be).
/// </summary>
internal static partial class ServerSentEvents
{
    /// <summary>
    /// Streams what <paramref name="items"/> yields, asked for once the response has started, with the token that ends
    /// the stream. <paramref name="format"/> writes one item's data.
    /// </summary>
    public static async Task WriteAsync<T>(
        HttpContext httpContext,
        Func<CancellationToken, Task<IAsyncEnumerable<SseItem<T>>>> items,
        Action<SseItem<T>, IBufferWriter<byte>> format,
        ILogger logger)
    {
        var services = httpContext.RequestServices;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        var aborted = ended.Token;

        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            var stream = await items(aborted);
            await response.Body.FlushAsync(aborted);
            await SseFormatter.WriteAsync(stream, response.Body, format, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away, or this node stops: the end of every stream.
        }
        catch (Exception exception) when (response.HasStarted)
        {
            // Nothing more can be said on this response; the client reconnects.
            LogStreamFailed(logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An event stream failed; the client may reconnect and resume")]
    private static partial void LogStreamFailed(ILogger logger, Exception exception);
}
