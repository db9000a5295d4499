using System.Globalization;
using System.Net;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.HubSpot.Model;
using OrleansSync.GrainInterfaces;

namespace OrleansSync.Grains.Deals;

/// <summary>
/// Payments on the deal (F13): each payment applied to a linked invoice appears once — a timeline event where the app
/// has a template, otherwise a note. Delivery is at least once, so the deal remembers what it posted; and a post cut
/// short by a dying silo is looked for in HubSpot before it is made again, by the reference each note carries.
/// </summary>
public sealed partial class DealGrain
{
    private const string ReferencePrefix = "orleanssync:payment:";

    public async Task PaymentReceivedAsync(PaymentApplied payment, ChangeCause cause)
    {
        Record.Payments.TryGetValue(payment.Key, out var post);
        if (post is { Posted: true })
            return;
        if (Record.Deleted || Record.MergedInto is not null)
        {
            Note(cause, $"Payment {payment.PaymentId} on invoice {payment.InvoiceNumber ?? payment.InvoiceId} not shown: the deal is gone from HubSpot.");
            await WriteStateAsync();
            return;
        }

        var reference = ReferencePrefix + payment.Key;
        if (post is not null && await FindNoteAsync(reference) is { } existing)
        {
            // Posted before this grain could say so.
            await MarkPostedAsync(post, "note", existing, payment, cause);
            return;
        }

        post = new PaymentPost { At = Clock.GetUtcNow(), Amount = payment.Amount, Currency = payment.Currency };
        Record.Payments[payment.Key] = post;
        await WriteStateAsync();

        var (where, hubSpotId) = await PostAsync(payment, reference);
        await MarkPostedAsync(post, where, hubSpotId, payment, cause);
    }

    private async Task<(string Where, string? HubSpotId)> PostAsync(PaymentApplied payment, string reference)
    {
        if (hubSpotOptions.Value.PaymentEventTemplateId is { Length: > 0 } templateId)
        {
            var id = "payment-" + payment.Key.Replace('/', '-');
            try
            {
                // Our own event id: HubSpot keeps the last write for it, so a second send is no second event.
                await hubSpot.CreateTimelineEventAsync(PortalId, new TimelineEvent
                {
                    EventTemplateId = templateId,
                    ObjectId = DealId,
                    Id = id,
                    Timestamp = payment.TxnDate?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) is { } date ? new DateTimeOffset(date) : Clock.GetUtcNow(),
                    Tokens = new Dictionary<string, string>
                    {
                        ["amount"] = Money(payment.Amount),
                        ["currency"] = payment.Currency,
                        ["invoiceNumber"] = payment.InvoiceNumber ?? payment.InvoiceId,
                        ["paymentReference"] = payment.PaymentRefNum ?? payment.PaymentId,
                        ["customer"] = payment.CustomerName ?? "",
                    },
                });
                return ("timeline", id);
            }
            catch (HubSpotException refused) when (refused.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                // Timeline events are for partners with existing ones; other apps are refused and use notes.
            }
        }

        var note = await hubSpot.CreateDealNoteAsync(PortalId, DealId, NoteBody(payment, reference), Clock.GetUtcNow());
        return ("note", note.Id);
    }

    private async Task MarkPostedAsync(PaymentPost post, string where, string? hubSpotId, PaymentApplied payment, ChangeCause cause)
    {
        post.Posted = true;
        post.Where = where;
        post.HubSpotId = hubSpotId;
        Note(cause, $"Payment {payment.PaymentRefNum ?? payment.PaymentId} of {Money(payment.Amount)} {payment.Currency} on invoice {payment.InvoiceNumber ?? payment.InvoiceId} shown as a {where}{(hubSpotId is null ? "" : $" ({hubSpotId})")}.");
        await WriteStateAsync();
    }

    /// <summary>The deal's note carrying <paramref name="reference"/>, if one exists.</summary>
    private async Task<string?> FindNoteAsync(string reference)
    {
        var notes = await hubSpot.GetAssociationsAsync(PortalId, CrmObjectTypes.Deals, DealId, CrmObjectTypes.Notes);
        foreach (var chunk in notes.Select(n => n.ToObjectId.ToString(CultureInfo.InvariantCulture)).Chunk(HubSpotClient.MaxBatchInputs))
        {
            var read = await hubSpot.BatchReadAsync(PortalId, CrmObjectTypes.Notes, chunk, ["hs_note_body"]);
            if (read.FirstOrDefault(n => n.Property("hs_note_body")?.Contains(reference, StringComparison.Ordinal) == true) is { } found)
                return found.Id;
        }

        return null;
    }

    private static string NoteBody(PaymentApplied payment, string reference)
    {
        var details = new List<string> { $"invoice {payment.InvoiceNumber ?? payment.InvoiceId}" };
        if (payment.TxnDate is { } date)
            details.Add($"received {date:yyyy-MM-dd}");
        if (payment.PaymentRefNum is { Length: > 0 } refNum)
            details.Add($"reference {refNum}");
        if (payment.CustomerName is { Length: > 0 } customer)
            details.Add($"from {customer}");
        return $"<p><strong>Payment received in QuickBooks: {Money(payment.Amount)} {payment.Currency}</strong> ({string.Join(", ", details.Select(System.Net.WebUtility.HtmlEncode))}).</p><p><small>{reference}</small></p>";
    }

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);
}
