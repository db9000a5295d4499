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

/// <summary>Word from an invoice to a deal it is linked to: a payment was applied (F13). Through the inbox, for the same reasons.</summary>
public static class PaymentNotices
{
    public const string Source = "orleanssync.payment";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Notice(string DealId, PaymentApplied Payment);

    public static InboxEvent Applied(long portalId, CrmRecord deal, PaymentApplied payment) => new(
        portalId.ToString(CultureInfo.InvariantCulture),
        Source,
        $"{payment.Key}>{deal.ObjectId}",
        JsonSerializer.Serialize(new Notice(deal.ObjectId, payment), Json));

    public static async Task DeliverAsync(IGrainFactory grains, InboxMessage message)
    {
        var notice = JsonSerializer.Deserialize<Notice>(message.Payload, Json)
            ?? throw new JsonException($"Inbox event {message.Id} holds no payment.");
        await grains.Deal(long.Parse(message.TenantId, CultureInfo.InvariantCulture), notice.DealId)
            .PaymentReceivedAsync(notice.Payment, new ChangeCause("payment", $"QuickBooks payment {notice.Payment.PaymentId} (inbox {message.Id})"));
    }
}
