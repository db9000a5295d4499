using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansSync.Api.Hosting;
using OrleansSync.Api.Security;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Clients.Webhooks;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Api.Webhooks;

/// <summary>
/// Where QuickBooks and HubSpot send their webhooks (E5, B2): the signature is checked, each event is recorded in the
/// durable inbox — all of a request's events in one transaction, duplicates dropped — and only then is the request
/// answered, quickly: the grains take the events from the inbox afterwards. Bad input is refused with a 4xx and
/// nothing recorded; nothing a sender does makes this answer 5xx.
/// </summary>
public static partial class WebhookEndpoints
{
    /// <summary>Far more than either service sends in one request (HubSpot: 100 events).</summary>
    public const int MaxBodyBytes = 1 << 20;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var webhooks = endpoints.MapGroup("/webhooks").AllowAnonymous().WithTags("Webhooks");
        webhooks.MapPost("/quickbooks", QuickBooksAsync);
        webhooks.MapPost("/hubspot", HubSpotAsync);
        return endpoints;
    }

    private static async Task<IResult> QuickBooksAsync(HttpContext context, IOptions<QuickBooksOptions> options, RealmOwners owners, IInbox inbox, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(WebhookEndpoints));
        var (body, tooLarge) = await ReadBodyAsync(context.Request);
        if (tooLarge is not null)
            return tooLarge;

        if (string.IsNullOrEmpty(options.Value.WebhookVerifierToken))
        {
            LogNoVerifierToken(logger);
            return Unauthorized("QuickBooks webhooks cannot be verified: QuickBooks:WebhookVerifierToken is not configured.");
        }

        var signature = context.Request.Headers[IntuitWebhookSignature.HeaderName].ToString();
        if (!IntuitWebhookSignature.IsValid(body, signature, options.Value.WebhookVerifierToken))
            return Unauthorized(string.IsNullOrEmpty(signature) ? $"The {IntuitWebhookSignature.HeaderName} header is missing." : $"The {IntuitWebhookSignature.HeaderName} header does not match the body.");

        IReadOnlyList<QuickBooksChange> changes;
        try
        {
            changes = QuickBooksWebhook.Parse(body);
        }
        catch (WebhookPayloadException malformed)
        {
            return Outcomes.BadRequest("Malformed webhook", malformed.Message);
        }

        var events = new List<InboxEvent>(changes.Count);
        foreach (var company in changes.GroupBy(c => c.RealmId))
        {
            if (await owners.FindAsync(company.Key) is not { } portalId)
            {
                // QuickBooks stops at nothing but a 2xx: a company nobody holds (any more) is acknowledged and dropped.
                LogUnknownRealm(logger, company.Key, company.Count());
                continue;
            }

            var tenant = portalId.ToString(CultureInfo.InvariantCulture);
            events.AddRange(company.Select(change => new InboxEvent(
                tenant,
                WebhookInbox.QuickBooks,
                change.EventId,
                JsonSerializer.Serialize(new QuickBooksInboxEvent(change.RealmId, new QuickBooksEntityChange(change.Entity, change.EntityId, change.Operation, change.OccurredAt, change.DeletedId)), Json))));
        }

        if (await RecordAsync(inbox, events, context.RequestAborted) is not { } recorded)
            return Outcomes.BadRequest("Malformed webhook", "An event's identifiers are missing or too long; nothing was recorded.");
        return TypedResults.Ok(new WebhookReceipt(changes.Count, recorded.Accepted, recorded.Duplicates, changes.Count - events.Count));
    }

    private static async Task<IResult> HubSpotAsync(HttpContext context, IOptions<HubSpotOptions> options, IOptions<ApiOptions> api, IInbox inbox, TimeProvider time)
    {
        var (body, tooLarge) = await ReadBodyAsync(context.Request);
        if (tooLarge is not null)
            return tooLarge;

        var headers = context.Request.Headers;
        var check = HubSpotSignature.Check(
            new HubSpotSignedRequest(context.Request.Method, PublicUrl.Of(context.Request, api.Value.PublicBaseUrl), body, headers[HubSpotSignature.SignatureV3Header], headers[HubSpotSignature.TimestampHeader], headers[HubSpotSignature.SignatureHeader], headers[HubSpotSignature.VersionHeader]),
            options.Value.ClientSecret ?? "",
            time.GetUtcNow(),
            "v1");
        if (check != HubSpotSignatureCheck.Valid)
            return Unauthorized(check switch
            {
                HubSpotSignatureCheck.Missing => $"No {HubSpotSignature.SignatureV3Header} (or v1 {HubSpotSignature.SignatureHeader}) header.",
                HubSpotSignatureCheck.Expired => $"{HubSpotSignature.TimestampHeader} is more than five minutes from now.",
                _ => "The signature does not match the request.",
            });

        List<(HubSpotWebhookEvent Event, string Raw)> events;
        try
        {
            events = SplitEvents(body);
        }
        catch (Exception malformed) when (malformed is WebhookPayloadException or JsonException)
        {
            return Outcomes.BadRequest("Malformed webhook", malformed.Message);
        }

        if (events.Count > HubSpotWebhook.MaxEventsPerBatch)
            return Outcomes.BadRequest("Too many events", $"HubSpot sends at most {HubSpotWebhook.MaxEventsPerBatch} events per request; this one has {events.Count}.");
        if (events.FindIndex(e => e.Event.PortalId <= 0) is var missing and >= 0)
            return Outcomes.BadRequest("Malformed webhook", $"Event {missing} has no portalId.");

        var inboxEvents = events.Select(e => new InboxEvent(e.Event.PortalId.ToString(CultureInfo.InvariantCulture), WebhookInbox.HubSpot, e.Event.DeduplicationKey, e.Raw)).ToList();
        if (await RecordAsync(inbox, inboxEvents, context.RequestAborted) is not { } recorded)
            return Outcomes.BadRequest("Malformed webhook", "An event's identifiers are missing or too long; nothing was recorded.");
        return TypedResults.Ok(new WebhookReceipt(events.Count, recorded.Accepted, recorded.Duplicates, 0));
    }

    /// <summary>The events appended in one transaction; null when one of them is unfit to record (then none is).</summary>
    private static async Task<InboxAppendResult?> RecordAsync(IInbox inbox, IReadOnlyList<InboxEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            return await inbox.AppendAsync(events, cancellationToken);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Each event of a HubSpot batch, parsed and as sent (the inbox keeps what HubSpot said, byte for byte).</summary>
    private static List<(HubSpotWebhookEvent, string)> SplitEvents(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            throw new WebhookPayloadException("A HubSpot webhook is a JSON array of events.");
        return document.RootElement.EnumerateArray().Select(element =>
        {
            var raw = element.GetRawText();
            return (HubSpotWebhook.ParseEvent(raw), raw);
        }).ToList();
    }

    private static async Task<(byte[] Body, IResult? TooLarge)> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
            return ([], TooLarge());
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
                return ([], TooLarge());
        }

        return (buffer.ToArray(), null);
    }

    private static IResult TooLarge() => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Webhook too large", detail: $"A webhook body may hold at most {MaxBodyBytes} bytes.");

    private static IResult Unauthorized(string detail) => Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Bad signature", detail: detail + " Nothing was recorded.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped {Count} QuickBooks changes of company {RealmId}: no tenant has it connected")]
    private static partial void LogUnknownRealm(ILogger logger, string realmId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A QuickBooks webhook arrived, but QuickBooks:WebhookVerifierToken is not configured: refused")]
    private static partial void LogNoVerifierToken(ILogger logger);
}

/// <summary>What a webhook request left in the inbox: events received, recorded, already recorded, and dropped (no tenant).</summary>
public sealed record WebhookReceipt(int Received, int Recorded, int Duplicates, int Dropped);
