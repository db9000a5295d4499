using System.Globalization;
using OrleansSync.GrainInterfaces;

namespace OrleansSync.Api.HubSpot;

/// <summary>
/// A legacy CRM card's data (HUBSPOT-API.md §10): up to five results, each with a title, a link and typed properties,
/// and the card's actions.
/// </summary>
public sealed record CrmCardResponse(IReadOnlyList<CardResult> Results, CardAction? PrimaryAction, IReadOnlyList<CardAction> SecondaryActions, int? TotalCount = null);

public sealed record CardResult(long ObjectId, string Title, string? Link, IReadOnlyList<CardProperty> Properties);

/// <summary>A property as HubSpot shows it: CURRENCY with a currency code, DATE as yyyy-mm-dd, STATUS with an option type, STRING.</summary>
public sealed record CardProperty(string Label, string DataType, string Value, string? OptionType = null, string? CurrencyCode = null);

/// <summary>An ACTION_HOOK (HubSpot calls <see cref="Uri"/>, signed) or an IFRAME (HubSpot opens it, unsigned).</summary>
public sealed record CardAction(
    string Type,
    string Label,
    string Uri,
    string? HttpMethod = null,
    IReadOnlyList<string>? AssociatedObjectProperties = null,
    int? Width = null,
    int? Height = null)
{
    public static CardAction Hook(string label, string uri) => new("ACTION_HOOK", label, uri, "POST", AssociatedObjectProperties: []);

    public static CardAction Iframe(string label, string uri) => new("IFRAME", label, uri, Width: 890, Height: 748);
}

/// <summary>What an action hook answers; HubSpot shows the message to the user.</summary>
public sealed record CardActionMessage(string Message);

/// <summary>How a linked invoice reads on the card (F12): status, amount, balance, due date and number, and a link to it in QuickBooks.</summary>
public static class InvoiceCardResults
{
    /// <summary>HubSpot shows at most five results on a card.</summary>
    public const int MaxResults = 5;

    public static CardResult From(InvoiceSummary invoice, Uri quickBooksApp)
    {
        var snapshot = invoice.Snapshot;
        var properties = new List<CardProperty>
        {
            new("Status", "STATUS", InvoiceStatusLabels.Label(invoice.Status), OptionType: OptionType(invoice.Status)),
            Money("Amount", snapshot.TotalAmt, snapshot.Currency),
            Money("Balance", snapshot.Balance, snapshot.Currency),
        };
        if (snapshot.DueDate is { } due)
            properties.Add(new CardProperty("Due date", "DATE", due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        properties.Add(new CardProperty("Number", "STRING", snapshot.DocNumber ?? snapshot.InvoiceId));

        return new CardResult(
            ObjectId(snapshot.InvoiceId),
            $"Invoice {snapshot.DocNumber ?? snapshot.InvoiceId}",
            $"{quickBooksApp.AbsoluteUri.TrimEnd('/')}/app/invoice?txnId={Uri.EscapeDataString(snapshot.InvoiceId)}",
            properties);
    }

    /// <summary>The colour HubSpot gives a status: good news green, bad news red, in between yellow or blue.</summary>
    public static string OptionType(InvoiceStatus status) => status switch
    {
        InvoiceStatus.PaidInFull => "SUCCESS",
        InvoiceStatus.SentToCustomer => "INFO",
        InvoiceStatus.PartialPayment => "WARNING",
        InvoiceStatus.Overdue => "DANGER",
        InvoiceStatus.WaitingToBeSent or InvoiceStatus.Voided or InvoiceStatus.Deleted => "DEFAULT",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    private static CardProperty Money(string label, decimal amount, string currency)
        => new(label, "CURRENCY", amount.ToString("0.00", CultureInfo.InvariantCulture), CurrencyCode: currency);

    /// <summary>QuickBooks ids are numbers; a card result's objectId must be one.</summary>
    private static long ObjectId(string invoiceId)
        => long.TryParse(invoiceId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : invoiceId.Aggregate(17L, (hash, c) => unchecked((hash * 31) + c)) & long.MaxValue;
}
