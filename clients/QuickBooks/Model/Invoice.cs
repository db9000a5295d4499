namespace OrleansSync.Clients.QuickBooks.Model;

public sealed record Invoice : QuickBooksEntityBase, IQuickBooksEntity
{
    public static string EntityName => "Invoice";

    /// <summary>The invoice number (≤ 21 characters); filled by QuickBooks unless custom transaction numbers are on.</summary>
    public string? DocNumber { get; init; }

    public DateOnly? TxnDate { get; init; }

    /// <summary>Derived from <see cref="SalesTermRef"/> when not sent.</summary>
    public DateOnly? DueDate { get; init; }

    public Reference? CustomerRef { get; init; }

    public IReadOnlyList<Line>? Line { get; init; }

    public Reference? SalesTermRef { get; init; }

    public Reference? CurrencyRef { get; init; }

    /// <summary>Home-currency units per unit of the invoice's currency.</summary>
    public decimal? ExchangeRate { get; init; }

    public EmailAddress? BillEmail { get; init; }

    public MemoRef? CustomerMemo { get; init; }

    public string? PrivateNote { get; init; }

    /// <summary>NotSet, NeedToSend or EmailSent.</summary>
    public string? EmailStatus { get; init; }

    public string? PrintStatus { get; init; }

    public DeliveryInfo? DeliveryInfo { get; init; }

    public TxnTaxDetail? TxnTaxDetail { get; init; }

    public decimal? TotalAmt { get; init; }

    public decimal? HomeTotalAmt { get; init; }

    /// <summary>What is still owed; 0 when paid in full.</summary>
    public decimal? Balance { get; init; }

    public decimal? HomeBalance { get; init; }

    public IReadOnlyList<LinkedTxn>? LinkedTxn { get; init; }
}

public static class EmailStatuses
{
    public const string NotSet = "NotSet";
    public const string NeedToSend = "NeedToSend";
    public const string EmailSent = "EmailSent";
}

/// <summary>An invoice line: a sales line (item, quantity, price, tax code) or one QuickBooks adds, like the subtotal.</summary>
public sealed record Line
{
    public string? Id { get; init; }

    public int? LineNum { get; init; }

    public string? Description { get; init; }

    public decimal? Amount { get; init; }

    /// <summary>SalesItemLineDetail, GroupLineDetail, DescriptionOnly, DiscountLineDetail or SubTotalLineDetail.</summary>
    public string? DetailType { get; init; }

    public SalesItemLineDetail? SalesItemLineDetail { get; init; }

    public SubTotalLineDetail? SubTotalLineDetail { get; init; }

    public static Line Sales(Reference item, decimal quantity, decimal unitPrice, string? description = null, Reference? taxCode = null)
        => new()
        {
            DetailType = LineDetailTypes.SalesItem,
            Amount = decimal.Round(quantity * unitPrice, 2, MidpointRounding.AwayFromZero),
            Description = description,
            SalesItemLineDetail = new SalesItemLineDetail { ItemRef = item, Qty = quantity, UnitPrice = unitPrice, TaxCodeRef = taxCode },
        };
}

public static class LineDetailTypes
{
    public const string SalesItem = "SalesItemLineDetail";
    public const string SubTotal = "SubTotalLineDetail";
}

public sealed record SalesItemLineDetail
{
    public Reference? ItemRef { get; init; }

    public decimal? Qty { get; init; }

    public decimal? UnitPrice { get; init; }

    /// <summary>"TAX" or "NON" in the US; a tax code id elsewhere.</summary>
    public Reference? TaxCodeRef { get; init; }

    public DateOnly? ServiceDate { get; init; }
}

public sealed record SubTotalLineDetail;

public sealed record DeliveryInfo
{
    public string? DeliveryType { get; init; }

    public DateTimeOffset? DeliveryTime { get; init; }
}

public sealed record TxnTaxDetail
{
    public Reference? TxnTaxCodeRef { get; init; }

    public decimal? TotalTax { get; init; }
}

/// <summary>What a delete answers: the object's id and <c>"status": "Deleted"</c>.</summary>
public sealed record DeletedEntity(string? Id, string? Status, string? Domain);
