using System.Globalization;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>Marks the search endpoints: they have their own per-second limit and no rate-limit headers.</summary>
public sealed class HubSpotSearchEndpoint
{
    public static readonly HubSpotSearchEndpoint Instance = new();
}

/// <summary>
/// HubSpot's limits for a public OAuth app, per installing portal, as exact sliding windows: 110 requests per rolling
/// 10 seconds for everything but search, 5 searches per second, and (private apps only) a daily quota.
/// </summary>
public sealed class HubSpotRateLimits
{
    private readonly SandboxClock _clock;
    private readonly RequestWindow _tenSecondly;
    private readonly RequestWindow _secondly;
    private readonly DailyQuota? _daily;

    public HubSpotRateLimits(SandboxOptions options, SandboxClock clock)
    {
        _clock = clock;
        _tenSecondly = new RequestWindow(options.HubSpot.RequestsPerTenSeconds, TimeSpan.FromSeconds(10), clock);
        _secondly = new RequestWindow(options.HubSpot.SearchRequestsPerSecond, TimeSpan.FromSeconds(1), clock);
        _daily = options.HubSpot.DailyLimit is { } daily ? new DailyQuota(daily) : null;
    }

    /// <summary>Counts a request against the portal's limits; returns the 429 to answer with when one is reached.</summary>
    public IResult? TryAcquire(HubSpotPortal portal, bool search, IHeaderDictionary headers)
    {
        var now = _clock.GetUtcNow();
        if (_daily is not null && _daily.Remaining(portal, now) <= 0)
        {
            DailyHeaders(headers, 0);
            return TooManyRequests("You have reached your daily limit.", "DAILY");
        }

        var key = portal.PortalId.ToString(CultureInfo.InvariantCulture);
        if (search)
        {
            // Search responses carry no rate-limit headers (API usage guidelines).
            if (!_secondly.TryAcquire(key, out _, out _))
            {
                // HubSpot's message for search is documented; the policy name SECONDLY is our assumption.
                return TooManyRequests("You have reached your secondly limit.", "SECONDLY");
            }
        }
        else
        {
            var acquired = _tenSecondly.TryAcquire(key, out _, out var remaining);
            headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = ((long)_tenSecondly.Window.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            headers["X-HubSpot-RateLimit-Max"] = _tenSecondly.Limit.ToString(CultureInfo.InvariantCulture);
            headers["X-HubSpot-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
            if (!acquired)
                return TooManyRequests("You have reached your ten_secondly_rolling limit.", "TEN_SECONDLY_ROLLING");
        }

        if (_daily is not null)
        {
            _daily.TryConsume(portal, now, out var dailyRemaining);
            DailyHeaders(headers, dailyRemaining);
        }

        return null;
    }

    private void DailyHeaders(IHeaderDictionary headers, int remaining)
    {
        headers["X-HubSpot-RateLimit-Daily"] = _daily!.Limit.ToString(CultureInfo.InvariantCulture);
        headers["X-HubSpot-RateLimit-Daily-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
    }

    private static IResult TooManyRequests(string message, string policyName) => TypedResults.Json(
        new RateLimitErrorBody("error", message, "RATE_LIMIT", CorrelationIds.New(), policyName, CorrelationIds.New()),
        HubSpotJson.Context.RateLimitErrorBody,
        statusCode: StatusCodes.Status429TooManyRequests);
}

/// <summary>HubSpot's 429 body, which differs from its other errors (<c>errorType</c>, <c>policyName</c>, <c>requestId</c>).</summary>
public sealed record RateLimitErrorBody(string Status, string Message, string ErrorType, string CorrelationId, string PolicyName, string RequestId);

/// <summary>Applies <see cref="HubSpotRateLimits"/> to the authenticated API endpoints.</summary>
public sealed class HubSpotRateLimitFilter(HubSpotRateLimits limits) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var search = http.GetEndpoint()?.Metadata.GetMetadata<HubSpotSearchEndpoint>() is not null;
        return limits.TryAcquire(HubSpotCaller.Portal(http), search, http.Response.Headers) ?? await next(context);
    }
}
