using System.Text.Json.Serialization;
using OrleansSync.Runtime;

namespace OrleansSync.GrainInterfaces;

/// <summary>The statuses HubSpot's QuickBooks integration shows on a linked invoice (F8), worked out by one function.</summary>
public enum InvoiceStatus
{
    WaitingToBeSent,
    SentToCustomer,
    PartialPayment,
    PaidInFull,
    Overdue,
    Voided,
    Deleted,
}

/// <summary>A HubSpot record an invoice can be linked to: a deal, a contact or a company.</summary>
public sealed record CrmRecord(string ObjectType, string ObjectId)
{
    public const string Deals = "deals";
    public const string Contacts = "contacts";
    public const string Companies = "companies";

    public static CrmRecord Deal(string id) => new(Deals, id);

    public static bool IsLinkable(string objectType) => objectType is Deals or Contacts or Companies;

    public override string ToString() => $"{ObjectType}/{ObjectId}";
}

/// <summary>
/// An invoice as QuickBooks last showed it: what its status and the deal properties are worked out from.
/// <see cref="LastUpdated"/> keeps the offset QuickBooks wrote it with — the company's, which the API gives no other way.
/// </summary>
public sealed record InvoiceSnapshot(
    string RealmId,
    string InvoiceId,
    string? DocNumber,
    string? CustomerId,
    string? CustomerName,
    string? BillEmail,
    string Currency,
    decimal TotalAmt,
    decimal Balance,
    DateOnly? TxnDate,
    DateOnly? DueDate,
    string EmailStatus,
    bool Voided,
    bool Deleted,
    string? SyncToken,
    DateTimeOffset LastUpdated)
{
    /// <summary>The company's offset from UTC, as of the last update.</summary>
    [JsonIgnore]
    public TimeSpan CompanyOffset => LastUpdated.Offset;
}

/// <summary>Why something changed (B1): a request, a webhook, a reminder, a resync or an operator — and which one.</summary>
public sealed record ChangeCause(string Kind, string Detail)
{
    public static ChangeCause Request(string requestId, string what) => new("request", $"{what} (request {requestId})");

    public static ChangeCause Reminder(string name) => new("reminder", name);

    public static ChangeCause Operator(string what) => new("operator", what);

    public static ChangeCause Resync(string what) => new("resync", what);

    public static ChangeCause Webhook(string source, string eventId) => new("webhook", $"{source} event {eventId}");

    public override string ToString() => $"{Kind}: {Detail}";
}

/// <summary>A field before and after a change.</summary>
public sealed record FieldChange(string Field, string? Before, string? After);

/// <summary>One entry of an invoice's history: when, why, what was decided, and what changed.</summary>
public sealed record HistoryEntry(DateTimeOffset At, ChangeCause Cause, string What, IReadOnlyList<FieldChange> Changes);

/// <summary>An invoice's current state: its snapshot, status and the records it is linked to.</summary>
public sealed record InvoiceSummary(long PortalId, InvoiceSnapshot Snapshot, InvoiceStatus Status, IReadOnlyList<CrmRecord> LinkedTo, int Version);

/// <summary>An invoice with its whole history.</summary>
public sealed record InvoiceView(InvoiceSummary Summary, DateTimeOffset? OverdueCheckAt, IReadOnlyList<HistoryEntry> History);

/// <summary>A link asked for: to which record, because of what, and with what decisions already taken on the way.</summary>
public sealed record LinkRequest(CrmRecord Record, ChangeCause Cause, IReadOnlyList<string> Decisions, InvoiceSnapshot? Known);

/// <summary>
/// One QuickBooks invoice: its snapshot and status, its links, and its history. Changes from any source — the create
/// request, a resync, the overdue reminder, later the webhooks — go through one path that records each with its cause
/// and tells the linked records.
/// </summary>
public interface IInvoiceGrain : IGrainWithStringKey, IRemindable
{
    /// <summary>Links the invoice to a record, reading it from QuickBooks unless the caller just did.</summary>
    Task<Outcome<InvoiceSummary>> LinkAsync(LinkRequest request);

    Task<Outcome<InvoiceSummary>> UnlinkAsync(CrmRecord record, ChangeCause cause);

    /// <summary>Reads the invoice from QuickBooks and takes whatever changed.</summary>
    Task<Outcome<InvoiceSummary>> SyncAsync(ChangeCause cause);

    /// <summary>
    /// The invoice as its account just read it (for a webhook or a resync): taken unless older than what the grain
    /// has. True when something changed. Ignored while the invoice is linked to nothing.
    /// </summary>
    Task<bool> ObserveAsync(InvoiceSnapshot observed, ChangeCause cause);

    /// <summary>QuickBooks says the invoice was deleted at <paramref name="at"/>. True when that was news.</summary>
    Task<bool> ObserveDeletedAsync(DateTimeOffset at, ChangeCause cause);

    /// <summary>A payment was applied to the invoice: the deals it is linked to are told, once per payment.</summary>
    Task PaymentAppliedAsync(PaymentApplied payment, ChangeCause cause);

    /// <summary>The invoice, or <c>null</c> when it was never linked.</summary>
    Task<InvoiceView?> GetAsync();
}

/// <summary>An invoice as a record lists it, with the state of its link.</summary>
public sealed record LinkedInvoice(InvoiceSummary Invoice, DateTimeOffset LinkedAt, ChangeCause LinkedBy);

/// <summary>A record's linked invoices ("integration invoices", F11).</summary>
public sealed record RecordInvoicesView(long PortalId, CrmRecord Record, IReadOnlyList<LinkedInvoice> Invoices);

/// <summary>The five invoice properties as last written to a deal (F9).</summary>
public sealed record DealInvoiceProperties(string? AmountBilled, string? Recipient, string? Number, string? Status, string? DueDate);

/// <summary>A payment shown on a deal (F13): where, and when.</summary>
public sealed record PostedPayment(string Key, string Where, string? HubSpotId, DateTimeOffset At, decimal Amount, string Currency);

/// <summary>
/// A deal's invoices, the invoice its properties follow, what was written, and why not, when it was not; the records
/// HubSpot associates with it, the payments shown on it, and what happened to it.
/// </summary>
public sealed record DealInvoicesView(
    long PortalId,
    CrmRecord Record,
    IReadOnlyList<LinkedInvoice> Invoices,
    string? PropertiesFollow,
    DealInvoiceProperties? WrittenProperties,
    DateTimeOffset? WrittenAt,
    string? PropertiesNote,
    bool Deleted = false,
    string? MergedInto = null,
    IReadOnlyList<CrmRecord>? Associations = null,
    IReadOnlyList<PostedPayment>? Payments = null,
    IReadOnlyList<RecordActivity>? Activity = null);

/// <summary>A deal, contact or company and the invoices linked to it.</summary>
public interface IInvoiceLinksGrain : IGrainWithStringKey
{
    /// <summary>Adds an existing QuickBooks invoice to the record (F11).</summary>
    Task<Outcome<LinkedInvoice>> LinkInvoiceAsync(string realmId, string invoiceId, ChangeCause cause);

    Task<Outcome<LinkedInvoice>> UnlinkInvoiceAsync(string realmId, string invoiceId, ChangeCause cause);

    Task<RecordInvoicesView> GetInvoicesAsync();

    /// <summary>A linked invoice changed (delivered through the inbox: at least once, possibly late or repeated).</summary>
    Task InvoiceChangedAsync(InvoiceSummary invoice);

    /// <summary>HubSpot changed the record (its webhook, through the inbox: at least once, possibly repeated).</summary>
    Task HubSpotChangedAsync(RecordChange change, ChangeCause cause);

    /// <summary>The record was merged into <paramref name="primary"/>: it hands over its links and keeps none.</summary>
    Task<IReadOnlyList<LinkedInvoice>> MergeIntoAsync(CrmRecord primary, ChangeCause cause);
}

public interface IContactGrain : IInvoiceLinksGrain;

public interface ICompanyGrain : IInvoiceLinksGrain;

/// <summary>Where an invoice's lines and contact come from (F2).</summary>
public enum InvoiceSourceKind
{
    /// <summary>A published, unexpired quote of the deal.</summary>
    Quote,

    /// <summary>The deal's own line items.</summary>
    Scratch,
}

/// <summary>How the QuickBooks customer is chosen (F3).</summary>
public enum CustomerMode
{
    /// <summary>Find the contact's (or company's) customer: email first, then name.</summary>
    Match,

    /// <summary>A customer the user picked.</summary>
    Existing,

    /// <summary>A new customer, with a unique display name.</summary>
    Create,

    /// <summary>
    /// Match as <see cref="Match"/> does; when nothing matches, create as <see cref="Create"/> does — for a contact that
    /// meets the tenant's contact-sync settings, under data-sync (<see cref="TenantSettings.RulesForNewCustomers"/>).
    /// </summary>
    MatchOrCreate,
}

/// <summary>One invoice line (F4): a QuickBooks item, with quantity, price and tax code.</summary>
public sealed record InvoiceLineInput(string ItemId, decimal Quantity, decimal? UnitPrice, string? TaxCodeId, string? Description);

/// <summary>"Create QuickBooks invoice" on a deal (F2–F7), as the api received it.</summary>
/// <remarks>
/// <see cref="DueInDays"/> sets the due date that many days after today in the tenant's time zone, when no
/// <see cref="DueDate"/> is given: a repeated request keeps asking for the same thing on another day. Left out of the
/// JSON when null, so that requests without it keep their Idempotency-Key fingerprints.
/// </remarks>
public sealed record CreateInvoiceCommand(
    string? RealmId,
    InvoiceSourceKind Source,
    string? QuoteId,
    CustomerMode CustomerMode,
    string? CustomerId,
    string? CustomerDisplayName,
    IReadOnlyList<InvoiceLineInput>? Lines,
    string? TaxCodeId,
    string? TermId,
    DateOnly? InvoiceDate,
    DateOnly? DueDate,
    string? Message,
    string? IdempotencyKey,
    string RequestId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DueInDays = null);

/// <summary>The created invoice, and the decisions taken on the way (B1).</summary>
public sealed record CreatedInvoice(InvoiceSummary Invoice, IReadOnlyList<string> Decisions, bool Replayed);

/// <summary>A deal: its invoices, and the five invoice properties kept on it.</summary>
public interface IDealGrain : IInvoiceLinksGrain
{
    /// <summary>Creates a draft invoice in QuickBooks from the deal and links it; a repeated Idempotency-Key answers the first result.</summary>
    Task<Outcome<CreatedInvoice>> CreateInvoiceAsync(CreateInvoiceCommand command);

    /// <summary>The deal's invoices with the properties they gave it.</summary>
    Task<DealInvoicesView> GetDealAsync();

    /// <summary>Shows a payment on the deal — a timeline event, or a note — once (F13).</summary>
    Task PaymentReceivedAsync(PaymentApplied payment, ChangeCause cause);

    /// <summary>Writes the invoice properties again now (an operator's retry, F22); answers where they stand after.</summary>
    Task<DealHealthReport> RetryPropertiesAsync();
}

/// <summary>
/// An invoice's status changed (F15): published once through the outbox, topic <see cref="Topic"/>, for workflows and
/// operators to react to.
/// </summary>
public sealed record InvoiceStatusChanged(
    long PortalId,
    string RealmId,
    string InvoiceId,
    string? DocNumber,
    InvoiceStatus? Before,
    InvoiceStatus After,
    decimal TotalAmt,
    decimal Balance,
    string Currency,
    IReadOnlyList<CrmRecord> LinkedTo,
    ChangeCause Cause,
    DateTimeOffset At,
    int Version)
{
    public const string Topic = "invoice.status-changed";

    /// <summary>One event per version of the invoice: a retried change is no second event.</summary>
    public string Key => $"invoice/{PortalId}/{RealmId}/{InvoiceId}@{Version}";
}
