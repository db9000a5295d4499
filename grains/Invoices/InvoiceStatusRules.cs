using OrleansSync.Clients.QuickBooks.Model;
using OrleansSync.GrainInterfaces;

namespace OrleansSync.Grains.Invoices;

/// <summary>
/// The one place an invoice's status is worked out (F8), from what QuickBooks shows: gone or voided first, then paid,
/// then overdue (past its due date in the company's time zone with a balance left, paid in part or not), then paid in
/// part, then sent or not. QUICKBOOKS-API.md §9 gives the fields; the order is ours — HubSpot documents the labels, not
/// the formula.
/// </summary>
public static class InvoiceStatusRules
{
    public static InvoiceStatus Derive(InvoiceSnapshot invoice, DateOnly companyToday)
    {
        if (invoice.Deleted)
            return InvoiceStatus.Deleted;
        if (invoice.Voided)
            return InvoiceStatus.Voided;
        if (invoice.Balance <= 0)
            return InvoiceStatus.PaidInFull;
        if (invoice.DueDate is { } due && companyToday > due)
            return InvoiceStatus.Overdue;
        if (invoice.Balance < invoice.TotalAmt)
            return InvoiceStatus.PartialPayment;
        return invoice.EmailStatus == "EmailSent" ? InvoiceStatus.SentToCustomer : InvoiceStatus.WaitingToBeSent;
    }

    /// <summary>Today where the company is: QuickBooks writes every time with the company's offset.</summary>
    public static DateOnly CompanyToday(InvoiceSnapshot invoice, DateTimeOffset now) => DateOnly.FromDateTime(now.ToOffset(invoice.CompanyOffset).DateTime);

    /// <summary>
    /// When an unpaid invoice becomes overdue: the first moment of the day after its due date, in the company's time
    /// zone. <c>null</c> when nothing can make it overdue by time alone (paid, voided, deleted, no due date).
    /// </summary>
    public static DateTimeOffset? OverdueAt(InvoiceSnapshot invoice)
    {
        if (invoice.Deleted || invoice.Voided || invoice.Balance <= 0 || invoice.DueDate is not { } due)
            return null;
        return new DateTimeOffset(due.AddDays(1).ToDateTime(TimeOnly.MinValue), invoice.CompanyOffset);
    }

    /// <summary>The labels HubSpot's integration shows, which are also the deal property's option labels.</summary>
    public static string Label(InvoiceStatus status) => InvoiceStatusLabels.Label(status);

    /// <summary>The deal property's option values.</summary>
    public static string Value(InvoiceStatus status) => status switch
    {
        InvoiceStatus.WaitingToBeSent => "waiting_to_be_sent",
        InvoiceStatus.SentToCustomer => "sent_to_customer",
        InvoiceStatus.PartialPayment => "partial_payment",
        InvoiceStatus.PaidInFull => "paid_in_full",
        InvoiceStatus.Overdue => "overdue",
        InvoiceStatus.Voided => "voided",
        InvoiceStatus.Deleted => "deleted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}

/// <summary>Reads a QuickBooks invoice into the snapshot the grains keep.</summary>
public static class InvoiceSnapshots
{
    public static InvoiceSnapshot From(string realmId, Invoice invoice, string homeCurrency, DateTimeOffset readAt) => new(
        realmId,
        invoice.Id ?? throw new ArgumentException("The invoice has no Id.", nameof(invoice)),
        invoice.DocNumber,
        invoice.CustomerRef?.Value,
        invoice.CustomerRef?.Name,
        invoice.BillEmail?.Address,
        invoice.CurrencyRef?.Value ?? homeCurrency,
        invoice.TotalAmt ?? 0,
        invoice.Balance ?? 0,
        invoice.TxnDate,
        invoice.DueDate,
        invoice.EmailStatus ?? "NotSet",
        IsVoided(invoice),
        invoice.IsDeleted,
        invoice.SyncToken,
        invoice.MetaData?.LastUpdatedTime ?? readAt);

    /// <summary>QuickBooks keeps a voided invoice with its amounts zeroed and "Voided" before its private note.</summary>
    public static bool IsVoided(Invoice invoice)
        => invoice.TotalAmt == 0 && invoice.PrivateNote?.StartsWith("Voided", StringComparison.Ordinal) == true;

    /// <summary>The invoice after QuickBooks said it no longer exists: as last seen, marked deleted.</summary>
    public static InvoiceSnapshot Deleted(InvoiceSnapshot last, DateTimeOffset at) => last with { Deleted = true, LastUpdated = at.ToOffset(last.CompanyOffset) };
}
