namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// One HubSpot account (portal, hub id): its settings, properties, records, associations, timeline events and the
/// workflow action callbacks apps completed. One lock
/// guards all of it, so that a request sees and makes consistent changes (a quote and its line items, a record and its
/// associations). The lock is re-entrant: services take it, and so may the endpoints that call them.
/// </summary>
public sealed class HubSpotPortal(HubSpotAccount account, DateTimeOffset createdAt)
{
    public long PortalId => Account.PortalId;

    public HubSpotAccount Account { get; } = account;

    public Lock Sync { get; } = new();

    public PropertyCatalog Properties { get; } = new(account.Currencies, createdAt);

    public CrmObjectStore Objects { get; } = new();

    public AssociationGraph Associations { get; } = new();

    public TimelineEventStore TimelineEvents { get; } = new();

    public WorkflowCallbackStore WorkflowCallbacks { get; } = new();

    public T Locked<T>(Func<T> read)
    {
        lock (Sync)
            return read();
    }
}
