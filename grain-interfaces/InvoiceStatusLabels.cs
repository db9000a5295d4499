namespace OrleansSync.GrainInterfaces;

/// <summary>
/// The labels HubSpot's QuickBooks integration shows for an invoice's status (F8) — on the deal property's options,
/// the record card and the workflow action's output — in one place for grains and api alike.
/// </summary>
public static class InvoiceStatusLabels
{
    public static string Label(InvoiceStatus status) => status switch
    {
        InvoiceStatus.WaitingToBeSent => "Waiting to be sent",
        InvoiceStatus.SentToCustomer => "Sent to customer",
        InvoiceStatus.PartialPayment => "Partial payment",
        InvoiceStatus.PaidInFull => "Paid in full",
        InvoiceStatus.Overdue => "Overdue",
        InvoiceStatus.Voided => "Voided",
        InvoiceStatus.Deleted => "Deleted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
