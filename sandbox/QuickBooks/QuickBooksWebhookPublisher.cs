using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using OrleansSync.Clients.Webhooks;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>
/// Announces changes the way QuickBooks does (QUICKBOOKS-API.md §8): the changes of one company gathered into a
/// notification, written in the company's format — the legacy <c>eventNotifications</c> object or a CloudEvents
/// array — signed with <c>intuit-signature</c>, and retried on Intuit's schedule (10 s, 20 s, 30 s, 5 min, 20 min,
/// 2 h, 4 h, 6 h, then every 6 h) until acknowledged with a 2xx within 3 seconds.
/// </summary>
internal sealed class QuickBooksWebhookPublisher
{
    private static readonly TimeSpan[] RetryDelays =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(20), TimeSpan.FromHours(2), TimeSpan.FromHours(4), TimeSpan.FromHours(6),
        TimeSpan.FromHours(6), TimeSpan.FromHours(6), TimeSpan.FromHours(6),
    ];

    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(3);

    private readonly QuickBooksSandboxOptions _options;
    private readonly WebhookSender _sender;
    private readonly FaultInjector _faults;
    private readonly Func<string, string> _formatOf;
    private readonly EventBatcher<string, EntityChange> _batcher;

    public QuickBooksWebhookPublisher(QuickBooksSandboxOptions options, WebhookSender sender, FaultInjector faults, Func<string, string> formatOfRealm)
    {
        _options = options;
        _sender = sender;
        _faults = faults;
        _formatOf = formatOfRealm;
        // "Events are sent one realm at a time": one batch per company.
        _batcher = new EventBatcher<string, EntityChange>(maxBatch: 100, maxDelay: TimeSpan.FromMilliseconds(200), Send);
    }

    public void Publish(IEnumerable<EntityChange> changes)
    {
        if (_options.WebhookUrl is null)
            return;
        foreach (var change in changes)
            _batcher.Add(change.RealmId, change);
    }

    private void Send(string realmId, IReadOnlyList<EntityChange> changes)
    {
        var cloudEvents = _formatOf(realmId) == "cloudevents";
        JsonNode notification = cloudEvents ? CloudEvents(changes) : Legacy(realmId, changes);
        var body = Encoding.UTF8.GetBytes(QuickBooksJson.Write(notification));
        var signature = IntuitWebhookSignature.Compute(body, _options.WebhookVerifierToken);
        var transactionId = Guid.NewGuid().ToString();
        var contentType = cloudEvents ? "application/cloudevents+json" : "application/json; charset=utf-8";
        _sender.Enqueue(new WebhookDelivery(
            "quickbooks",
            _options.WebhookUrl!,
            (_, now) => new WebhookRequest(body, contentType,
            [
                new(IntuitWebhookSignature.HeaderName, signature),
                new("intuit-created-time", now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
                new("intuit-t-id", transactionId),
                new("intuit-notification-schema-version", "0.1"),
            ]),
            RetryDelays,
            AnswerWithin,
            changes.Count,
            _faults));
    }

    private static JsonObject Legacy(string realmId, IReadOnlyList<EntityChange> changes)
    {
        var entities = new JsonArray();
        foreach (var change in changes)
        {
            var entity = new JsonObject
            {
                ["name"] = change.Entity,
                ["id"] = change.Id,
                ["operation"] = change.Operation,
                ["lastUpdated"] = change.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            };
            if (change.DeletedId is not null)
                entity["deletedId"] = change.DeletedId;
            entities.Add(entity);
        }

        return new JsonObject
        {
            ["eventNotifications"] = new JsonArray(new JsonObject
            {
                ["realmId"] = realmId,
                ["dataChangeEvent"] = new JsonObject { ["entities"] = entities },
            }),
        };
    }

    private static JsonArray CloudEvents(IReadOnlyList<EntityChange> changes)
    {
        var events = new JsonArray();
        foreach (var change in changes)
        {
            var cloudEvent = new JsonObject
            {
                ["specversion"] = "1.0",
                ["id"] = $"{Guid.NewGuid()}-{change.Entity}-{change.Id}",
                ["source"] = "intuit.sandbox",
                ["type"] = $"qbo.{change.Entity.ToLowerInvariant()}.{Verb(change.Operation)}.v1",
                ["datacontenttype"] = "application/json",
                ["time"] = change.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
                ["intuitentityid"] = change.Id,
                ["intuitaccountid"] = change.RealmId,
                ["data"] = change.DeletedId is null ? new JsonObject() : new JsonObject { ["deletedid"] = change.DeletedId },
            };
            events.Add(cloudEvent);
        }

        return events;
    }

    /// <summary>
    /// Intuit's sources show "created", "updated" and "merged"; the verbs for delete, void and email are not confirmed
    /// (third parties disagree), so these are our reading.
    /// </summary>
    private static string Verb(string operation) => operation switch
    {
        "Create" => "created",
        "Update" => "updated",
        "Delete" => "deleted",
        "Void" => "voided",
        "Merge" => "merged",
        "Emailed" => "emailed",
        _ => operation.ToLowerInvariant(),
    };
}
