using OrleansSync.Runtime;

namespace OrleansSync.GrainInterfaces;

/// <summary>A change QuickBooks announced about one entity of a company: created, updated, deleted, voided, merged, emailed.</summary>
public sealed record QuickBooksEntityChange(string Entity, string EntityId, string Operation, DateTimeOffset? OccurredAt, string? DeletedId);

/// <summary>What an account did with a run of announced changes.</summary>
public sealed record ChangesApplied(int Examined, int Changed, bool UsedChangeDataCapture);

/// <summary>
/// One resync of a company (F20): when, how long, how (a first backfill, change data capture since the cursor, or a
/// paged query where change data capture cannot reach), what it looked at and what it repaired — changes a webhook
/// should have brought and did not.
/// </summary>
public sealed record ResyncReport(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    string Method,
    int Examined,
    int Repaired,
    IReadOnlyList<string> RepairedItems,
    string? Error);

/// <summary>How a company is kept in step: the cursor, the invoices followed, and the last resync.</summary>
public sealed record AccountSyncView(DateTimeOffset? Cursor, int FollowedInvoices, TimeSpan ResyncEvery, ResyncReport? LastResync, int WebhookChangesApplied, DateTimeOffset? LastWebhookAt);

/// <summary>A payment QuickBooks applied to one invoice (F13): what the deal's timeline shows.</summary>
public sealed record PaymentApplied(
    string RealmId,
    string PaymentId,
    string InvoiceId,
    string? InvoiceNumber,
    decimal Amount,
    string Currency,
    DateOnly? TxnDate,
    string? PaymentRefNum,
    string? CustomerName)
{
    /// <summary>One payment applied to one invoice: the deal shows it once, whatever delivers it again.</summary>
    public string Key => $"{RealmId}/{PaymentId}/{InvoiceId}";
}

/// <summary>The kinds of <see cref="RecordChange"/>.</summary>
public static class RecordChangeKinds
{
    public const string Deleted = "deleted";
    public const string Restored = "restored";
    public const string Merged = "merged";
    public const string Associated = "associated";
    public const string Dissociated = "dissociated";
    public const string PropertyChanged = "propertyChanged";
}

/// <summary>
/// A HubSpot change to a deal, contact or company, from its webhook: deleted or restored; merged (this record is the
/// one that remains, <see cref="MergedIds"/> went into it); associated with or dissociated from <see cref="Other"/>;
/// or a property changed.
/// </summary>
public sealed record RecordChange(
    string Kind,
    DateTimeOffset OccurredAt,
    CrmRecord? Other = null,
    IReadOnlyList<string>? MergedIds = null,
    string? PropertyName = null,
    string? PropertyValue = null);

/// <summary>One thing that happened to a record, and why (B1).</summary>
public sealed record RecordActivity(DateTimeOffset At, ChangeCause Cause, string What);

/// <summary>What the webhooks put in the durable inbox, for the silos to take out: the sources, and QuickBooks' payload.</summary>
public static class WebhookInbox
{
    /// <summary>One QuickBooks change per inbox event; its id is the CloudEvent's, or made from what a legacy notification says.</summary>
    public const string QuickBooks = "quickbooks";

    /// <summary>One HubSpot event per inbox event, kept as HubSpot sent it.</summary>
    public const string HubSpot = "hubspot";
}

/// <summary>A QuickBooks change as the inbox keeps it: the company, and the change.</summary>
public sealed record QuickBooksInboxEvent(string RealmId, QuickBooksEntityChange Change);
