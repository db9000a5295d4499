using System.Globalization;
using OrleansSync.GrainInterfaces;

namespace OrleansSync.Api.Tenants;

/// <summary>
/// <c>POST /api/tenants/{portalId}/deals/{dealId}/invoices</c>: "Create QuickBooks invoice" on a deal (F2–F7). Every
/// field but <c>source</c> is optional; lines default to the quote's or the deal's line items.
/// </summary>
public sealed record CreateInvoiceRequest(
    string? RealmId,
    string? Source,
    string? QuoteId,
    CustomerRequest? Customer,
    IReadOnlyList<InvoiceLineRequest>? Lines,
    string? TaxCodeId,
    string? TermId,
    string? InvoiceDate,
    string? DueDate,
    string? Message)
{
    /// <summary>The command, or what is wrong with the request, field by field.</summary>
    public (CreateInvoiceCommand? Command, string? Error) ToCommand(string? idempotencyKey, string requestId)
    {
        var errors = new List<string>();
        var source = Source?.ToLowerInvariant() switch
        {
            "quote" => InvoiceSourceKind.Quote,
            "scratch" => InvoiceSourceKind.Scratch,
            null => Fail<InvoiceSourceKind>("source is required: \"quote\" (with quoteId) or \"scratch\""),
            _ => Fail<InvoiceSourceKind>($"source '{Source}' is neither \"quote\" nor \"scratch\""),
        };
        var mode = Customer?.Mode?.ToLowerInvariant() switch
        {
            null or "match" => CustomerMode.Match,
            "existing" => CustomerMode.Existing,
            "create" => CustomerMode.Create,
            "matchorcreate" => CustomerMode.MatchOrCreate,
            _ => Fail<CustomerMode>($"customer.mode '{Customer!.Mode}' is not match, existing, create or matchOrCreate"),
        };
        var lines = Lines?.Select((line, i) => new InvoiceLineInput(
            line.ItemId ?? Fail<string>($"lines[{i}].itemId is required"),
            line.Quantity ?? Fail<decimal>($"lines[{i}].quantity is required"),
            line.UnitPrice,
            line.TaxCodeId,
            line.Description)).ToList();
        var invoiceDate = Date(InvoiceDate, "invoiceDate");
        var dueDate = Date(DueDate, "dueDate");
        if (Message is { Length: > 1000 })
            errors.Add("message is longer than 1,000 characters");
        if (errors.Count > 0)
            return (null, string.Join("; ", errors) + ".");

        return (new CreateInvoiceCommand(RealmId, source, QuoteId, mode, Customer?.Id, Customer?.DisplayName, lines, TaxCodeId, TermId, invoiceDate, dueDate, Message, idempotencyKey, requestId), null);

        T Fail<T>(string error)
        {
            errors.Add(error);
            return default!;
        }

        DateOnly? Date(string? value, string name)
        {
            if (value is null)
                return null;
            if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                return date;
            errors.Add($"{name} '{value}' is not a date (yyyy-MM-dd)");
            return null;
        }
    }
}

public sealed record CustomerRequest(string? Mode, string? Id, string? DisplayName);

public sealed record InvoiceLineRequest(string? ItemId, decimal? Quantity, decimal? UnitPrice, string? TaxCodeId, string? Description);

/// <summary><c>POST …/{objectType}/{objectId}/invoices/links</c>: add an existing QuickBooks invoice to a record (F11).</summary>
public sealed record LinkInvoiceRequest(string? RealmId, string? InvoiceId);

/// <summary>Where to send the user to connect a QuickBooks company.</summary>
public sealed record ConnectStart(Uri AuthorizationUrl, DateTimeOffset ExpiresAt);
