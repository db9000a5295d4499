using System.Net.Http.Headers;

namespace OrleansSync.Clients.Http;

/// <summary>A response read whole, so that it can be judged for a retry and still be used afterwards.</summary>
internal sealed record CapturedResponse(System.Net.HttpStatusCode Status, byte[] Body, HttpResponseHeaders? Headers, string? ContentType, Exception? TransportFailure)
{
    public bool IsSuccess => TransportFailure is null && (int)Status is >= 200 and < 300;

    public static async Task<CapturedResponse> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        => new(response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken), response.Headers, response.Content.Headers.ContentType?.MediaType, null);

    public static CapturedResponse Failed(Exception exception) => new(0, [], null, null, exception);

    /// <summary>
    /// One attempt: sends the request and reads the whole answer, or records why there was none — a failed
    /// connection, or no answer within <paramref name="timeout"/>. Only the caller's own cancellation throws.
    /// </summary>
    public static async Task<CapturedResponse> SendAsync(HttpClient http, HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attemptTimeout.CancelAfter(timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attemptTimeout.Token);
            return await ReadAsync(response, attemptTimeout.Token);
        }
        catch (HttpRequestException exception)
        {
            return Failed(exception);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(new TimeoutException($"No answer within {timeout}.", exception));
        }
    }

    /// <summary>True when the request certainly never reached the service, so that even a non-idempotent one may be sent again.</summary>
    public bool NeverSent => TransportFailure is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };

    public string? Header(string name) => Headers is not null && Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
