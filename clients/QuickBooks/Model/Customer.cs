namespace OrleansSync.Clients.QuickBooks.Model;

public sealed record Customer : QuickBooksEntityBase, IQuickBooksEntity
{
    public static string EntityName => "Customer";

    /// <summary>Unique across customers, vendors and employees (≤ 500 characters, no colon).</summary>
    public string? DisplayName { get; init; }

    public string? Title { get; init; }

    public string? GivenName { get; init; }

    public string? FamilyName { get; init; }

    public string? CompanyName { get; init; }

    public EmailAddress? PrimaryEmailAddr { get; init; }

    public TelephoneNumber? PrimaryPhone { get; init; }

    public PhysicalAddress? BillAddr { get; init; }

    public Reference? CurrencyRef { get; init; }

    public Reference? SalesTermRef { get; init; }

    public bool? Active { get; init; }

    public bool? Taxable { get; init; }

    public decimal? Balance { get; init; }

    public string? Notes { get; init; }
}

public sealed record Item : QuickBooksEntityBase, IQuickBooksEntity
{
    public static string EntityName => "Item";

    public string? Name { get; init; }

    public string? Sku { get; init; }

    public string? Description { get; init; }

    /// <summary>Service, Inventory, NonInventory, Category, …</summary>
    public string? Type { get; init; }

    public decimal? UnitPrice { get; init; }

    public bool? Active { get; init; }

    public bool? Taxable { get; init; }

    public Reference? IncomeAccountRef { get; init; }
}

public sealed record Payment : QuickBooksEntityBase, IQuickBooksEntity
{
    public static string EntityName => "Payment";

    public DateOnly? TxnDate { get; init; }

    public Reference? CustomerRef { get; init; }

    public Reference? CurrencyRef { get; init; }

    public decimal? TotalAmt { get; init; }

    public decimal? UnappliedAmt { get; init; }

    public string? PaymentRefNum { get; init; }

    public string? PrivateNote { get; init; }

    /// <summary>What the payment pays: each line an amount and the invoices (or credit memos) it applies to.</summary>
    public IReadOnlyList<PaymentLine>? Line { get; init; }
}

public sealed record PaymentLine
{
    public decimal? Amount { get; init; }

    public IReadOnlyList<LinkedTxn>? LinkedTxn { get; init; }
}

public sealed record Term : QuickBooksEntityBase, IQuickBooksEntity
{
    public static string EntityName => "Term";

    public string? Name { get; init; }

    /// <summary>STANDARD (due after <see cref="DueDays"/>) or DATE_DRIVEN.</summary>
    public string? Type { get; init; }

    public int? DueDays { get; init; }

    public int? DayOfMonthDue { get; init; }

    public decimal? DiscountPercent { get; init; }

    public int? DiscountDays { get; init; }

    public bool? Active { get; init; }
}

public sealed record TaxCode : QuickBooksEntityBase, IQuickBooksEntity
{
    public static string EntityName => "TaxCode";

    public string? Name { get; init; }

    public string? Description { get; init; }

    public bool? Taxable { get; init; }

    public bool? TaxGroup { get; init; }

    public bool? Active { get; init; }

    public bool? Hidden { get; init; }
}

public sealed record CompanyInfo : QuickBooksEntityBase, IQuickBooksEntity
{
    public static string EntityName => "CompanyInfo";

    public string? CompanyName { get; init; }

    public string? LegalName { get; init; }

    /// <summary>Two-letter country code: "US", "GB", "CA", "AU", …</summary>
    public string? Country { get; init; }

    public PhysicalAddress? CompanyAddr { get; init; }

    public string? FiscalYearStartMonth { get; init; }
}

public sealed record Preferences : QuickBooksEntityBase, IQuickBooksEntity
{
    public static string EntityName => "Preferences";

    public SalesFormsPrefs? SalesFormsPrefs { get; init; }

    public CurrencyPrefs? CurrencyPrefs { get; init; }
}

public sealed record SalesFormsPrefs
{
    /// <summary>When on, QuickBooks numbers no invoice itself — and HubSpot's integration cannot create invoices.</summary>
    public bool? CustomTxnNumbers { get; init; }
}

public sealed record CurrencyPrefs
{
    public bool? MultiCurrencyEnabled { get; init; }

    public Reference? HomeCurrency { get; init; }
}
