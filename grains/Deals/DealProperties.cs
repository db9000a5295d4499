using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.HubSpot.Model;
using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Invoices;

namespace OrleansSync.Grains.Deals;

/// <summary>
/// The five invoice properties kept on deals (F9), in a property group of ours: created when a tenant installs, and
/// written by the deal grain whenever the invoice they follow changes.
/// </summary>
public static class DealProperties
{
    public const string GroupName = "orleanssync_quickbooks";
    public const string AmountBilled = "orleanssync_invoice_amount_billed";
    public const string Recipient = "orleanssync_invoice_recipient";
    public const string Number = "orleanssync_invoice_number";
    public const string Status = "orleanssync_invoice_status";
    public const string DueDate = "orleanssync_invoice_due_date";

    public static readonly PropertyGroup Group = new(GroupName, "QuickBooks invoice");

    public static readonly IReadOnlyList<PropertyDefinition> Definitions =
    [
        Define(AmountBilled, "Invoice amount billed", "number", "number", "The total of the QuickBooks invoice, in its currency."),
        Define(Recipient, "Invoice recipient", "string", "text", "The QuickBooks customer the invoice is made out to."),
        Define(Number, "Invoice number", "string", "text", "The QuickBooks invoice number."),
        Define(Status, "Invoice status", "enumeration", "select", "Waiting to be sent, sent, partly or fully paid, overdue, voided or deleted.")
            with { Options = Enum.GetValues<InvoiceStatus>().Select((s, i) => new PropertyOption(InvoiceStatusRules.Label(s), InvoiceStatusRules.Value(s), i)).ToList() },
        Define(DueDate, "Invoice due date", "date", "date", "The QuickBooks invoice's due date."),
    ];

    /// <summary>Creates whatever of the group and properties the account lacks; running it again changes nothing.</summary>
    public static async Task EnsureAsync(HubSpotClient hubSpot, long portalId)
    {
        if (await hubSpot.GetPropertyGroupAsync(portalId, CrmObjectTypes.Deals, GroupName) is null)
            await hubSpot.CreatePropertyGroupAsync(portalId, CrmObjectTypes.Deals, Group);
        foreach (var definition in Definitions)
        {
            if (await hubSpot.GetPropertyAsync(portalId, CrmObjectTypes.Deals, definition.Name) is null)
                await hubSpot.CreatePropertyAsync(portalId, CrmObjectTypes.Deals, definition);
        }
    }

    /// <summary>The values an invoice gives the five properties.</summary>
    public static DealInvoiceProperties From(InvoiceSummary invoice) => new(
        invoice.Snapshot.TotalAmt.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
        invoice.Snapshot.CustomerName ?? "",
        invoice.Snapshot.DocNumber ?? "",
        InvoiceStatusRules.Value(invoice.Status),
        invoice.Snapshot.DueDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "");

    /// <summary>Empty values clear the properties (HubSpot: "values can be cleared by passing an empty string").</summary>
    public static readonly DealInvoiceProperties Cleared = new("", "", "", "", "");

    /// <summary>The properties that differ from what was written last (nothing, at first), as a HubSpot update.</summary>
    public static Dictionary<string, string?> Changed(DealInvoiceProperties? written, DealInvoiceProperties wanted)
    {
        written ??= Cleared;
        var changes = new Dictionary<string, string?>();
        Compare(AmountBilled, written?.AmountBilled, wanted.AmountBilled);
        Compare(Recipient, written?.Recipient, wanted.Recipient);
        Compare(Number, written?.Number, wanted.Number);
        Compare(Status, written?.Status, wanted.Status);
        Compare(DueDate, written?.DueDate, wanted.DueDate);
        return changes;

        void Compare(string name, string? before, string? after)
        {
            if ((before ?? "") != (after ?? ""))
                changes[name] = after ?? "";
        }
    }

    /// <summary>
    /// What was written, with one property as HubSpot now shows it (someone changed it there): the next write puts
    /// the invoice's value back. Null when the property is not one of ours, or shows what was written.
    /// </summary>
    public static DealInvoiceProperties? AsSeenInHubSpot(DealInvoiceProperties written, string property, string? value)
    {
        value ??= "";
        var seen = property switch
        {
            AmountBilled when SameAmount(written.AmountBilled, value) => null,
            AmountBilled => written with { AmountBilled = value },
            Recipient => written with { Recipient = value },
            Number => written with { Number = value },
            Status => written with { Status = value },
            DueDate => written with { DueDate = value },
            _ => null,
        };
        return seen == written ? null : seen;
    }

    /// <summary>HubSpot may show "1250" for the "1250.00" written: the same amount.</summary>
    private static bool SameAmount(string? a, string? b)
        => decimal.TryParse(a, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var x)
           && decimal.TryParse(b, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var y)
           ? x == y
           : (a ?? "") == (b ?? "");

    private static PropertyDefinition Define(string name, string label, string type, string fieldType, string description) => new()
    {
        Name = name,
        Label = label,
        Type = type,
        FieldType = fieldType,
        GroupName = GroupName,
        Description = description,
        FormField = false,
    };
}
