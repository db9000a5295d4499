using OrleansSync.Runtime;

namespace OrleansSync.GrainInterfaces;

/// <summary>Where a deal's invoice properties stand (F22).</summary>
public enum DealSyncState
{
    /// <summary>The properties show the invoice they follow.</summary>
    InSync,

    /// <summary>Left alone on purpose: the invoice is in another currency than the HubSpot account's (F10).</summary>
    Excluded,

    /// <summary>Writing them to HubSpot failed; retried every minute.</summary>
    Failing,
}

/// <summary>
/// A deal's word on its invoice properties, whenever their state changed: in sync, excluded or failing (with why), or
/// none (<paramref name="State"/> null) once no invoice is linked any more.
/// </summary>
public sealed record DealHealthReport(string DealId, DealSyncState? State, string? Detail, DateTimeOffset At);

/// <summary>A deal excluded or failing, since when and why.</summary>
public sealed record DealHealthEntry(string DealId, DealSyncState State, string? Detail, DateTimeOffset Since);

/// <summary>A tenant's deals at a glance: how many in sync, excluded and failing, and the excluded and failing ones.</summary>
public sealed record SyncHealthView(int InSync, int Excluded, int Failing, IReadOnlyList<DealHealthEntry> Failures, IReadOnlyList<DealHealthEntry> Exclusions);

/// <summary>
/// A tenant's sync health index (key <c>{portalId}/sync-health</c>): deal grains are many, so each tells this grain
/// when the state of its properties changes, and the dashboard reads the whole tenant here in one call.
/// </summary>
public interface ISyncHealthGrain : IGrainWithStringKey
{
    Task ReportDealAsync(DealHealthReport report);

    Task<SyncHealthView> GetAsync();
}

/// <summary>One invoice as the tenant's invoice index holds it: what the dashboard's search finds and lists.</summary>
public sealed record InvoiceIndexEntry(
    string RealmId,
    string InvoiceId,
    string? DocNumber,
    string? CustomerName,
    InvoiceStatus Status,
    decimal TotalAmt,
    decimal Balance,
    string Currency,
    DateOnly? DueDate,
    IReadOnlyList<CrmRecord> LinkedTo,
    DateTimeOffset LastUpdated);

/// <summary>
/// A tenant's invoice index (key <c>{portalId}/invoice-index</c>): each invoice grain puts its summary here on every
/// change, so that operators can search a tenant's invoices by number, deal or customer without waking every invoice.
/// </summary>
public interface IInvoiceIndexGrain : IGrainWithStringKey
{
    Task UpsertAsync(InvoiceIndexEntry entry);

    /// <summary>
    /// Invoices whose number, customer name or linked deal id contains <paramref name="query"/> (any case), most
    /// recently updated first; every invoice when the query is empty.
    /// </summary>
    Task<IReadOnlyList<InvoiceIndexEntry>> SearchAsync(string? query, int maxResults);
}
