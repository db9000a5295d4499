using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Invoices;
using OrleansSync.Grains.Workflows;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Grains.Inbox;

/// <summary>
/// The silo's inbox handler: each event to whoever handles its source. QuickBooks changes are taken a run at a time and
/// gathered per company, so that a burst costs one read per company rather than one per change.
/// </summary>
public sealed partial class InboxRouter(IGrainFactory grains, ILogger<InboxRouter> logger) : IInboxBatchHandler
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task HandleAsync(InboxMessage message, CancellationToken cancellationToken)
    {
        if ((await HandleBatchAsync([message], cancellationToken))[0] is { } failure)
            throw failure;
    }

    public async Task<IReadOnlyList<Exception?>> HandleBatchAsync(IReadOnlyList<InboxMessage> messages, CancellationToken cancellationToken)
    {
        var results = new Exception?[messages.Count];
        var quickBooks = new List<(int Index, QuickBooksInboxEvent Event)>();
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Source != WebhookInbox.QuickBooks)
                continue;
            try
            {
                quickBooks.Add((i, JsonSerializer.Deserialize<QuickBooksInboxEvent>(messages[i].Payload, Json) ?? throw new JsonException("null")));
            }
            catch (JsonException exception)
            {
                results[i] = new InvalidDataException($"Inbox event {messages[i].Id} is no QuickBooks change: {exception.Message}", exception);
            }
        }

        foreach (var company in quickBooks.GroupBy(q => (messages[q.Index].TenantId, q.Event.RealmId)))
        {
            var failure = await ApplyQuickBooksAsync(company.Key.TenantId, company.Key.RealmId, company.Select(q => messages[q.Index]).ToList(), company.Select(q => q.Event.Change).ToList());
            foreach (var (index, _) in company)
                results[index] = failure;
        }

        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Source == WebhookInbox.QuickBooks)
                continue;
            try
            {
                await (message.Source switch
                {
                    InvoiceNotices.Source => InvoiceNotices.DeliverAsync(grains, message),
                    PaymentNotices.Source => PaymentNotices.DeliverAsync(grains, message),
                    WorkflowActionCompletion.Source => WorkflowActionCompletion.DeliverAsync(grains, message),
                    WebhookInbox.HubSpot => HubSpotEvents.DeliverAsync(grains, message, logger),
                    _ => throw new NotSupportedException($"No handler for inbox events from '{message.Source}'."),
                });
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                results[i] = exception;
            }
        }

        return results;
    }

    /// <summary>A company's changes, to its account grain. Null when done with (applied, or dropped for a reason logged).</summary>
    private async Task<Exception?> ApplyQuickBooksAsync(string tenantId, string realmId, List<InboxMessage> messages, List<QuickBooksEntityChange> changes)
    {
        var cause = new ChangeCause("webhook", messages.Count == 1
            ? $"QuickBooks {changes[0].Entity} {changes[0].EntityId} {changes[0].Operation} (inbox {messages[0].Id})"
            : $"QuickBooks, {messages.Count} changes (inbox {messages[0].Id}…{messages[^1].Id})");
        try
        {
            var portalId = long.Parse(tenantId, CultureInfo.InvariantCulture);
            var applied = await grains.Account(portalId, realmId).ApplyChangesAsync(changes, cause);
            switch (applied.Problem)
            {
                case null:
                    return null;
                case { Kind: ProblemKind.Upstream } passing:
                    return new UpstreamUnavailableException(passing.Detail);
                case { } refused:
                    // A broken or disconnected company: the resync after it is connected again repairs what is dropped here.
                    LogDropped(changes.Count, realmId, tenantId, refused.Detail);
                    return null;
            }
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped {Count} QuickBooks changes of company {RealmId} for tenant {TenantId}: {Reason}")]
    private partial void LogDropped(int count, string realmId, string tenantId, string reason);
}

/// <summary>HubSpot or QuickBooks could not be reached for now: the inbox tries the event again later.</summary>
public sealed class UpstreamUnavailableException(string message) : Exception(message);
