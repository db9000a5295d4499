using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace OrleansSync.Sandbox.Common;

/// <summary>The request of one attempt: HubSpot numbers its attempts in the body and signs with the send time.</summary>
public sealed record WebhookRequest(byte[] Body, string ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>One webhook to deliver, and how the real service would retry it.</summary>
/// <param name="Api">"quickbooks" or "hubspot", for the delivery log.</param>
/// <param name="CreateRequest">Builds the request of attempt n (from 0) at the given time.</param>
/// <param name="RetryDelays">The waits before each retry; after the last, the delivery is given up.</param>
/// <param name="Timeout">How long the service waits for an answer before it counts the attempt as failed.</param>
public sealed record WebhookDelivery(
    string Api,
    Uri Url,
    Func<int, DateTimeOffset, WebhookRequest> CreateRequest,
    IReadOnlyList<TimeSpan> RetryDelays,
    TimeSpan Timeout,
    int Events,
    FaultInjector Faults);

/// <summary>What happened to one attempt, for <c>GET /sandbox/admin/webhooks</c> and for tests.</summary>
public sealed record WebhookAttempt(string Api, string Url, int Attempt, DateTimeOffset At, int Events, string Outcome, int? StatusCode, string Body);

/// <summary>Webhook behaviour shared by both services. Configuration section <c>Sandbox</c>.</summary>
public sealed class WebhookDeliveryOptions
{
    /// <summary>
    /// Multiplies the real services' retry delays (QuickBooks: 10 s, 20 s, 30 s, 5 min…; HubSpot: up to 10 retries
    /// over a day), so that tests and demos need not wait hours. 1 is the real schedule.
    /// </summary>
    public double WebhookRetryScale { get; set; } = 1;
}

/// <summary>
/// Sends webhooks the way QuickBooks and HubSpot do: a POST, signed; anything but a 2xx within the timeout is a
/// failure, retried on the service's schedule until it is acknowledged or the schedule runs out. A delivery the fault
/// settings drop is never sent at all — the webhook that goes missing, which only a resync can make up for.
/// </summary>
public sealed partial class WebhookSender(IHttpClientFactory httpClientFactory, WebhookDeliveryOptions options, ILogger<WebhookSender> logger)
{
    public const string HttpClientName = "sandbox-webhooks";
    private const int LogSize = 2000;

    private readonly ConcurrentQueue<WebhookAttempt> _log = new();
    private int _pending;

    /// <summary>Deliveries not yet acknowledged, dropped or given up.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public IReadOnlyList<WebhookAttempt> Log => [.. _log];

    public void Enqueue(WebhookDelivery delivery)
    {
        Interlocked.Increment(ref _pending);
        _ = Task.Run(() => DeliverAsync(delivery));
    }

    private async Task DeliverAsync(WebhookDelivery delivery)
    {
        try
        {
            if (delivery.Faults.DropWebhook())
            {
                Record(delivery, 0, delivery.CreateRequest(0, DateTimeOffset.UtcNow), "dropped", null);
                return;
            }

            var client = httpClientFactory.CreateClient(HttpClientName);
            for (var attempt = 0; ; attempt++)
            {
                var request = delivery.CreateRequest(attempt, DateTimeOffset.UtcNow);
                var (delivered, status) = await TryOnceAsync(client, delivery, request);
                Record(delivery, attempt, request, delivered ? "delivered" : "failed", status);
                if (delivered)
                    return;
                if (attempt >= delivery.RetryDelays.Count)
                {
                    LogGaveUp(delivery.Api, delivery.Url, attempt + 1);
                    return;
                }

                await Task.Delay(delivery.RetryDelays[attempt] * options.WebhookRetryScale);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private static async Task<(bool Delivered, int? Status)> TryOnceAsync(HttpClient client, WebhookDelivery delivery, WebhookRequest webhook)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new ByteArrayContent(webhook.Body) { Headers = { ContentType = MediaTypeHeaderValue.Parse(webhook.ContentType) } },
        };
        foreach (var (name, value) in webhook.Headers)
            request.Headers.TryAddWithoutValidation(name, value);

        using var timeout = new CancellationTokenSource(delivery.Timeout);
        try
        {
            using var response = await client.SendAsync(request, timeout.Token);
            return (response.IsSuccessStatusCode, (int)response.StatusCode);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            return (false, null);
        }
    }

    private void Record(WebhookDelivery delivery, int attempt, WebhookRequest request, string outcome, int? status)
    {
        _log.Enqueue(new WebhookAttempt(delivery.Api, delivery.Url.ToString(), attempt, DateTimeOffset.UtcNow, delivery.Events, outcome, status, System.Text.Encoding.UTF8.GetString(request.Body)));
        while (_log.Count > LogSize)
            _log.TryDequeue(out _);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox {Api} gave up a webhook to {Url} after {Attempts} attempts")]
    private partial void LogGaveUp(string api, Uri url, int attempts);
}

/// <summary>
/// Collects events and hands them on in batches per key — when a batch is full, or a short moment after its first
/// event — as the real services group the changes of one company or account into one webhook.
/// </summary>
public sealed class EventBatcher<TKey, TEvent>(int maxBatch, TimeSpan maxDelay, Action<TKey, IReadOnlyList<TEvent>> flush)
    where TKey : notnull
{
    private readonly Dictionary<TKey, List<TEvent>> _open = [];
    private readonly Lock _lock = new();

    public void Add(TKey key, TEvent item)
    {
        List<TEvent>? full = null;
        var first = false;
        lock (_lock)
        {
            if (!_open.TryGetValue(key, out var batch))
            {
                _open[key] = batch = [];
                first = true;
            }

            batch.Add(item);
            if (batch.Count >= maxBatch)
            {
                full = batch;
                _open.Remove(key);
            }
        }

        if (full is not null)
            flush(key, full);
        else if (first)
            _ = FlushLaterAsync(key);
    }

    private async Task FlushLaterAsync(TKey key)
    {
        await Task.Delay(maxDelay);
        List<TEvent>? batch;
        lock (_lock)
        {
            if (_open.Remove(key, out batch) && batch.Count == 0)
                batch = null;
        }

        if (batch is not null)
            flush(key, batch);
    }
}
