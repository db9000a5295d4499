using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Clients.Http;
using Polly;
using Polly.Retry;

namespace OrleansSync.Clients.QuickBooks;

/// <summary>One request to the Accounting API, before the transport adds the host, minor version and token.</summary>
internal sealed record QuickBooksRequest(
    string RealmId,
    HttpMethod Method,
    string Path,
    string Operation,
    byte[]? Body = null,
    string? ContentType = null,
    string? RequestId = null,
    string Accept = "application/json",
    IReadOnlyDictionary<string, string>? Query = null);

/// <summary>
/// How every request reaches QuickBooks: it waits for the company's rate-limit turn, carries the company's access
/// token, and is retried (Polly) when answered 429 or 5xx or not answered — safe, because every write carries a
/// <c>requestid</c> that QuickBooks answers a second time with the first answer. A 401 refreshes the token once.
/// Whatever still fails becomes a typed <see cref="QuickBooksException"/>; no bare HTTP exception escapes.
/// </summary>
internal sealed partial class QuickBooksTransport
{
    private readonly HttpClient _http;
    private readonly QuickBooksOptions _options;
    private readonly IQuickBooksTokenSource _tokens;
    private readonly QuickBooksRateLimits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<CapturedResponse> _retry;

    public QuickBooksTransport(HttpClient http, IOptions<QuickBooksOptions> options, IQuickBooksTokenSource tokens, QuickBooksRateLimits limits, TimeProvider time, ILogger<QuickBooksClient> logger)
    {
        _http = http;
        _options = options.Value;
        _tokens = tokens;
        _limits = limits;
        _time = time;
        _logger = logger;
        _retry = new ResiliencePipelineBuilder<CapturedResponse> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<CapturedResponse>
            {
                MaxRetryAttempts = Math.Max(1, _options.MaxRetries),
                ShouldHandle = args => ValueTask.FromResult(_options.MaxRetries > 0 && IsTransient(args.Outcome.Result)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxDelay = TimeSpan.FromSeconds(8),
                DelayGenerator = args => ValueTask.FromResult(ThrottleDelay(args.Outcome.Result)),
                OnRetry = args =>
                {
                    LogRetry(args.Outcome.Result?.Status is { } status and not 0 ? ((int)status).ToString(CultureInfo.InvariantCulture) : args.Outcome.Result?.TransportFailure?.Message ?? "no answer", args.AttemptNumber + 1, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Sends the request and answers the body of its 2xx response; anything else throws.</summary>
    public async Task<CapturedResponse> SendAsync(QuickBooksRequest request, CancellationToken cancellationToken)
    {
        var token = await _tokens.GetAccessTokenAsync(request.RealmId, cancellationToken);
        var refreshed = false;
        while (true)
        {
            var response = await _retry.ExecuteAsync(
                static async (state, ct) => await state.transport.AttemptAsync(state.request, state.token, ct),
                (transport: this, request, token),
                cancellationToken);

            if (response.Status == HttpStatusCode.Unauthorized && !refreshed)
            {
                token = await _tokens.RefreshAccessTokenAsync(request.RealmId, token, cancellationToken);
                refreshed = true;
                continue;
            }

            if (response.TransportFailure is { } failure)
                throw new QuickBooksUnavailableException($"{request.Operation} for company {request.RealmId}: QuickBooks could not be reached ({failure.Message}).", innerException: failure);
            if (!response.IsSuccess)
                throw QuickBooksFaults.FromResponse(response.Status, response.Body, response.Header("intuit_tid"), $"{request.Operation} for company {request.RealmId}");

            // A 200 may still carry a Fault.
            if (response.ContentType == "application/json" && response.Body.Length > 0 && response.Body[0] == (byte)'{')
            {
                using var document = JsonDocument.Parse(response.Body);
                if (QuickBooksFaults.FindFault(document.RootElement) is { } fault)
                    throw QuickBooksFaults.FromFault(fault, response.Status, response.Header("intuit_tid"), $"{request.Operation} for company {request.RealmId}");
            }

            return response;
        }
    }

    private async Task<CapturedResponse> AttemptAsync(QuickBooksRequest request, string token, CancellationToken cancellationToken)
    {
        // Every attempt counts against QuickBooks' limits, retries included.
        using var lease = await _limits.WaitAsync(request.RealmId, cancellationToken);
        using var message = new HttpRequestMessage(request.Method, UriFor(request));
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(request.Accept));
        if (request.Body is not null)
            message.Content = new ByteArrayContent(request.Body) { Headers = { ContentType = new MediaTypeHeaderValue(request.ContentType ?? "application/json") } };

        return await CapturedResponse.SendAsync(_http, message, _options.AttemptTimeout, cancellationToken);
    }

    private Uri UriFor(QuickBooksRequest request)
    {
        var query = new Dictionary<string, string?> { ["minorversion"] = _options.MinorVersion.ToString(CultureInfo.InvariantCulture) };
        if (request.RequestId is not null)
            query["requestid"] = request.RequestId;
        foreach (var (name, value) in request.Query ?? new Dictionary<string, string>())
            query[name] = value;
        var path = $"v3/company/{Uri.EscapeDataString(request.RealmId)}/{request.Path}";
        return new Uri(_options.BaseUrl, QueryHelpers.AddQueryString(path, query));
    }

    private static bool IsTransient(CapturedResponse? response)
        => response is not null && (response.TransportFailure is not null || response.Status == HttpStatusCode.TooManyRequests || (int)response.Status >= 500);

    /// <summary>A 429 waits as long as QuickBooks asks (or a minute, Intuit's advice); other failures back off exponentially.</summary>
    private TimeSpan? ThrottleDelay(CapturedResponse? response)
        => response?.Status == HttpStatusCode.TooManyRequests
            ? RetryAfter.Read(response.Headers?.RetryAfter, _time.GetUtcNow()) ?? _options.ThrottleRetryDelay
            : null;

    [LoggerMessage(Level = LogLevel.Debug, Message = "QuickBooks answered {Outcome}; retry {Attempt} in {Delay}")]
    private partial void LogRetry(string outcome, int attempt, TimeSpan delay);
}
