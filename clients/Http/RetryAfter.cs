using System.Net.Http.Headers;

namespace OrleansSync.Clients.Http;

internal static class RetryAfter
{
    /// <summary>The wait a <c>Retry-After</c> header asks for, in seconds or as a date.</summary>
    public static TimeSpan? Read(RetryConditionHeaderValue? header, DateTimeOffset now)
        => header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
            _ => null,
        };
}

/// <summary>A response read whole, so that it can be judged for a retry and still be used afterwards.</summary>
internal sealed record CapturedResponse(System.Net.HttpStatusCode Status, byte[] Body, HttpResponseHeaders? Headers, string? ContentType, Exception? TransportFailure)
{
    public bool IsSuccess => TransportFailure is null && (int)Status is >= 200 and < 300;

    public static async Task<CapturedResponse> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        => new(response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken), response.Headers, response.Content.Headers.ContentType?.MediaType, null);

    public static CapturedResponse Failed(Exception exception) => new(0, [], null, null, exception);

    public string? Header(string name) => Headers is not null && Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
