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
