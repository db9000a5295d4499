using System.Globalization;
using System.Text.Json;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Grains.Invoices;

/// <summary>
/// Word from an invoice to the records linked to it, sent through the durable inbox rather than called: a record
/// grain calls its invoices (to link, to unlink), so an invoice calling back in the same turn would wait for itself.
/// The inbox also keeps the word across a silo's death. A record takes a notice only if it is newer than what it has.
/// </summary>
public static class InvoiceNotices
{
    public const string Source = "orleanssync.invoice";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static InboxEvent Changed(InvoiceSummary invoice) => new(
        invoice.PortalId.ToString(CultureInfo.InvariantCulture),
        Source,
        $"{invoice.Snapshot.RealmId}/{invoice.Snapshot.InvoiceId}@{invoice.Version}",
        JsonSerializer.Serialize(invoice, Json));

    /// <summary>Tells each linked record.</summary>
    public static async Task DeliverAsync(IGrainFactory grains, InboxMessage message)
    {
        var invoice = JsonSerializer.Deserialize<InvoiceSummary>(message.Payload, Json)
            ?? throw new JsonException($"Inbox event {message.Id} holds no invoice.");
        foreach (var record in invoice.LinkedTo)
            await grains.Record(invoice.PortalId, record).InvoiceChangedAsync(invoice);
    }
}

/// <summary>The silo's inbox handler: each event to whoever handles its source.</summary>
public sealed class InboxRouter(IGrainFactory grains) : IInboxHandler
{
    public Task HandleAsync(InboxMessage message, CancellationToken cancellationToken) => message.Source switch
    {
        InvoiceNotices.Source => InvoiceNotices.DeliverAsync(grains, message),
        Workflows.WorkflowActionCompletion.Source => Workflows.WorkflowActionCompletion.DeliverAsync(grains, message),
        _ => throw new NotSupportedException($"No handler for inbox events from '{message.Source}'."),
    };
}
