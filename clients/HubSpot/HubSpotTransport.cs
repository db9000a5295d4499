using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Clients.Http;
using Polly;
using Polly.Retry;

namespace OrleansSync.Clients.HubSpot;

/// <summary>One request to HubSpot's API, before the transport adds the host and the token.</summary>
/// <param name="Idempotent">
/// Whether sending it twice is harmless (reads, PATCH, PUT, DELETE, searches). A create is not: it is sent again only
/// when it certainly did not arrive (a refused connection, or a 429).
/// </param>
internal sealed record HubSpotRequest(
    long PortalId,
    HttpMethod Method,
    string Path,
    string Operation,
    byte[]? Body = null,
    bool Idempotent = true,
    bool IsSearch = false,
    IReadOnlyDictionary<string, string?>? Query = null);

/// <summary>
/// How every request reaches HubSpot: it waits for the account's turn (110 per 10 seconds; 5 searches per second),
/// carries the account's token, and is retried (Polly) on 429 — after the wait HubSpot's <c>policyName</c> implies —
/// and, when idempotent, on 5xx and lost connections. A <c>DAILY</c> 429 is not retried: the caller reports it. A 401
/// refreshes the token once. What still fails becomes a typed <see cref="HubSpotException"/>.
/// </summary>
internal sealed partial class HubSpotTransport
{
    private readonly HttpClient _http;
    private readonly HubSpotOptions _options;
    private readonly IHubSpotTokenSource _tokens;
    private readonly HubSpotRateLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<CapturedResponse> _idempotentRetry;
    private readonly ResiliencePipeline<CapturedResponse> _safeRetry;

    public HubSpotTransport(HttpClient http, IOptions<HubSpotOptions> options, IHubSpotTokenSource tokens, HubSpotRateLimits limits, TimeProvider time, ILogger<HubSpotClient> logger)
    {
        _http = http;
        _options = options.Value;
        _tokens = tokens;
        _limits = limits;
        _time = time;
        _logger = logger;
        _idempotentRetry = Pipeline(response => IsThrottled(response) || response.TransportFailure is not null || (int)response.Status >= 500);
        _safeRetry = Pipeline(response => IsThrottled(response) || response.NeverSent);
    }

    public async Task<CapturedResponse> SendAsync(HubSpotRequest request, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetAccessTokenAsync(request.PortalId, cancellationToken);
        var retry = request.Idempotent ? _idempotentRetry : _safeRetry;
        var refreshed = false;
        while (true)
        {
            var response = await retry.ExecuteAsync(
                static async (state, ct) => await state.transport.AttemptAsync(state.request, state.token, ct),
                (transport: this, request, token),
                cancellationToken);

            if (response.Status == HttpStatusCode.Unauthorized && !refreshed)
            {
                token = await _tokens.RefreshAccessTokenAsync(request.PortalId, token, cancellationToken);
                refreshed = true;
                continue;
            }

            if (response.TransportFailure is { } failure)
                throw new HubSpotUnavailableException($"{request.Operation} for account {request.PortalId}: HubSpot could not be reached ({failure.Message}).", innerException: failure);
            if (!response.IsSuccess)
                throw HubSpotErrors.FromResponse(response.Status, response.Body, $"{request.Operation} for account {request.PortalId}");
            return response;
        }
    }

    private async Task<CapturedResponse> AttemptAsync(HubSpotRequest request, string token, CancellationToken cancellationToken)
    {
        using var lease = await _limits.WaitAsync(request.PortalId, request.IsSearch, cancellationToken);
        var path = request.Query is null ? request.Path : QueryHelpers.AddQueryString(request.Path, request.Query);
        using var message = new HttpRequestMessage(request.Method, new Uri(_options.BaseUrl, path));
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (request.Body is not null)
            message.Content = new ByteArrayContent(request.Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        return await CapturedResponse.SendAsync(_http, message, _options.AttemptTimeout, cancellationToken);
    }

    private ResiliencePipeline<CapturedResponse> Pipeline(Func<CapturedResponse, bool> retryable)
        => new ResiliencePipelineBuilder<CapturedResponse> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<CapturedResponse>
            {
                MaxRetryAttempts = Math.Max(1, _options.MaxRetries),
                ShouldHandle = args => ValueTask.FromResult(_options.MaxRetries > 0 && args.Outcome.Result is { } response && retryable(response)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(8),
                DelayGenerator = args => ValueTask.FromResult(ThrottleDelay(args.Outcome.Result, args.AttemptNumber)),
                OnRetry = args =>
                {
                    LogRetry(args.Outcome.Result?.Status is { } status and not 0 ? ((int)status).ToString(CultureInfo.InvariantCulture) : args.Outcome.Result?.TransportFailure?.Message ?? "no answer", args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();

    /// <summary>A 429 that more waiting can cure: everything but the daily limit.</summary>
    private static bool IsThrottled(CapturedResponse response)
        => response.Status == HttpStatusCode.TooManyRequests && HubSpotErrors.Parse(response.Body)?.PolicyName != "DAILY";

    /// <summary>
    /// After a 429: <c>Retry-After</c> when sent, else what the policy implies (HubSpot's Node SDK waits 10 s per
    /// attempt for the ten-second window and 1 s for the search limit). Other failures back off exponentially.
    /// </summary>
    private TimeSpan? ThrottleDelay(CapturedResponse? response, int attempt)
    {
        if (response?.Status != HttpStatusCode.TooManyRequests)
            return null;
        if (RetryAfter.Read(response.Headers?.RetryAfter, _time.GetUtcNow()) is { } asked)
            return asked;
        return HubSpotErrors.Parse(response.Body)?.PolicyName == "TEN_SECONDLY_ROLLING" ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(1 + attempt);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "HubSpot answered {Outcome}; retry {Attempt} in {Delay}")]
    private partial void LogRetry(string outcome, int attempt, TimeSpan delay);
}
