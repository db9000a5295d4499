using Microsoft.Extensions.DependencyInjection;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Grains.Records;

/// <summary>A link held by a record: the invoice as last heard of, and when and why it was linked.</summary>
public sealed class RecordLink
{
    public required InvoiceSummary Invoice { get; set; }

    public DateTimeOffset LinkedAt { get; set; }

    public required ChangeCause LinkedBy { get; set; }

    public LinkedInvoice View() => new(Invoice, LinkedAt, LinkedBy);

    public bool Is(string realmId, string invoiceId) => Invoice.Snapshot.RealmId == realmId && Invoice.Snapshot.InvoiceId == invoiceId;
}

public class InvoiceLinksState
{
    public List<RecordLink> Links { get; set; } = [];

    /// <summary>Deleted in HubSpot (until restored).</summary>
    public bool Deleted { get; set; }

    /// <summary>Merged away into this record of the same type; its links went there.</summary>
    public string? MergedInto { get; set; }

    /// <summary>The deals, contacts and companies HubSpot associates with this record, as its webhooks told.</summary>
    public List<CrmRecord> Associations { get; set; } = [];

    /// <summary>What happened to the record, newest last, and why (B1).</summary>
    public List<RecordActivity> Activity { get; set; } = [];
}

/// <summary>
/// A deal, contact or company (key <c>{portalId}/{objectType}/{objectId}</c>) and the invoices linked to it (F11):
/// added from QuickBooks, removed, and kept up to date as the invoices tell of their changes.
/// </summary>
public abstract class InvoiceLinksGrain<TState> : Grain, IInvoiceLinksGrain
    where TState : InvoiceLinksState, new()
{
    private readonly IPersistentState<TState> _state;
    private readonly TimeProvider _clock;

    protected InvoiceLinksGrain(IPersistentState<TState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider clock)
    {
        _state = state;
        _clock = clock;
    }

    protected TState Record => _state.State;

    protected TimeProvider Clock => _clock;

    protected Task WriteStateAsync() => _state.WriteStateAsync();

    protected long PortalId => GrainKeys.PortalOf(GetPrimaryKeyString());

    protected CrmRecord Self
    {
        get
        {
            var parts = GetPrimaryKeyString().Split('/');
            return new CrmRecord(parts[1], parts[2]);
        }
    }

    public async Task<Outcome<LinkedInvoice>> LinkInvoiceAsync(string realmId, string invoiceId, ChangeCause cause)
    {
        var settings = await GrainFactory.Tenant(PortalId).GetSettingsAsync();
        if (!settings.ConnectedRealmIds.Contains(realmId))
            return Problem.Conflict("Company not connected", $"QuickBooks company {realmId} is not connected to HubSpot account {PortalId}: connect it before adding its invoices.");

        var linked = await GrainFactory.Invoice(PortalId, realmId, invoiceId).LinkAsync(new LinkRequest(Self, cause, [], Known: null));
        if (linked.Problem is { } problem)
            return problem;
        var link = Keep(linked.Value!, cause);
        await _state.WriteStateAsync();
        await LinksChangedAsync();
        return link.View();
    }

    public async Task<Outcome<LinkedInvoice>> UnlinkInvoiceAsync(string realmId, string invoiceId, ChangeCause cause)
    {
        var link = Record.Links.Find(l => l.Is(realmId, invoiceId));
        if (link is null)
            return Problem.NotFound("Not linked", $"Invoice {invoiceId} of QuickBooks company {realmId} is not linked to {Self}.");

        var unlinked = await GrainFactory.Invoice(PortalId, realmId, invoiceId).UnlinkAsync(Self, cause);
        Record.Links.Remove(link);
        if (unlinked.Value is { } invoice)
            link.Invoice = invoice;
        await _state.WriteStateAsync();
        await LinksChangedAsync();
        return link.View();
    }

    public virtual Task<RecordInvoicesView> GetInvoicesAsync()
        => Task.FromResult(new RecordInvoicesView(PortalId, Self, Record.Links.Select(l => l.View()).ToList()));

    public async Task InvoiceChangedAsync(InvoiceSummary invoice)
    {
        var link = Record.Links.Find(l => l.Is(invoice.Snapshot.RealmId, invoice.Snapshot.InvoiceId));
        if (link is null || invoice.Version <= link.Invoice.Version)
            return; // unlinked since, or old news
        link.Invoice = invoice;
        await _state.WriteStateAsync();
        await LinksChangedAsync();
    }

    public async Task HubSpotChangedAsync(RecordChange change, ChangeCause cause)
    {
        var what = change.Kind switch
        {
            RecordChangeKinds.Deleted when !Record.Deleted => Set(deleted: true, $"Deleted in HubSpot; {Record.Links.Count} linked invoices kept for the record."),
            RecordChangeKinds.Restored when Record.Deleted => Set(deleted: false, "Restored in HubSpot."),
            RecordChangeKinds.Associated when change.Other is { } other && !Record.Associations.Contains(other) => Associate(other),
            RecordChangeKinds.Dissociated when change.Other is { } other && Record.Associations.Remove(other) => $"No longer associated with {other}.",
            RecordChangeKinds.Merged when change.MergedIds is { Count: > 0 } merged => await AdoptAsync(merged, cause),
            RecordChangeKinds.PropertyChanged => PropertyChanged(change),
            _ => null,
        };
        if (what is null)
            return; // already so: a repeated or late event has no second effect

        Note(cause, what);
        await _state.WriteStateAsync();
        await LinksChangedAsync();
    }

    public async Task<IReadOnlyList<LinkedInvoice>> MergeIntoAsync(CrmRecord primary, ChangeCause cause)
    {
        var handedOver = Record.Links.Select(l => l.View()).ToList();
        foreach (var link in Record.Links)
            await GrainFactory.Invoice(PortalId, link.Invoice.Snapshot.RealmId, link.Invoice.Snapshot.InvoiceId).UnlinkAsync(Self, cause);
        Record.Links.Clear();
        Record.MergedInto = primary.ObjectId;
        Note(cause, $"Merged into {primary}; {handedOver.Count} linked invoices moved there.");
        await _state.WriteStateAsync();
        return handedOver;
    }

    /// <summary>A property of the record changed in HubSpot: what that did, or null when nothing.</summary>
    protected virtual string? PropertyChanged(RecordChange change) => null;

    /// <summary>Records that <paramref name="what"/> happened, because of <paramref name="cause"/>.</summary>
    protected void Note(ChangeCause cause, string what)
    {
        Record.Activity.Add(new RecordActivity(_clock.GetUtcNow(), cause, what));
        if (Record.Activity.Count > ActivityLimit)
            Record.Activity.RemoveRange(0, Record.Activity.Count - ActivityLimit);
    }

    private const int ActivityLimit = 200;

    private string Set(bool deleted, string what)
    {
        Record.Deleted = deleted;
        return what;
    }

    private string Associate(CrmRecord other)
    {
        Record.Associations.Add(other);
        return $"Associated with {other}.";
    }

    /// <summary>The records merged into this one hand over their links, which this one takes.</summary>
    private async Task<string> AdoptAsync(IReadOnlyList<string> mergedIds, ChangeCause cause)
    {
        var moved = 0;
        foreach (var mergedId in mergedIds.Where(id => id != Self.ObjectId))
        {
            var from = new CrmRecord(Self.ObjectType, mergedId);
            foreach (var link in await GrainFactory.Record(PortalId, from).MergeIntoAsync(Self, cause))
            {
                var invoice = link.Invoice.Snapshot;
                var linked = await GrainFactory.Invoice(PortalId, invoice.RealmId, invoice.InvoiceId)
                    .LinkAsync(new LinkRequest(Self, cause, [$"Moved from {from}, merged into {Self}."], invoice));
                if (linked.Value is { } summary)
                {
                    Keep(summary, cause);
                    moved++;
                }
            }
        }

        return $"{string.Join(", ", mergedIds)} merged into this {Self.ObjectType[..^1]}; {moved} linked invoices moved here.";
    }

    /// <summary>Adds the link, or brings an existing one up to date.</summary>
    protected RecordLink Keep(InvoiceSummary invoice, ChangeCause cause)
    {
        var link = Record.Links.Find(l => l.Is(invoice.Snapshot.RealmId, invoice.Snapshot.InvoiceId));
        if (link is null)
        {
            link = new RecordLink { Invoice = invoice, LinkedAt = _clock.GetUtcNow(), LinkedBy = cause };
            Record.Links.Add(link);
        }
        else if (invoice.Version > link.Invoice.Version)
        {
            link.Invoice = invoice;
        }

        return link;
    }

    /// <summary>After the links or a linked invoice changed (and the state was written).</summary>
    protected virtual Task LinksChangedAsync() => Task.CompletedTask;
}

public sealed class ContactGrain([PersistentState("links")] IPersistentState<InvoiceLinksState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider clock)
    : InvoiceLinksGrain<InvoiceLinksState>(state, clock), IContactGrain;

public sealed class CompanyGrain([PersistentState("links")] IPersistentState<InvoiceLinksState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider clock)
    : InvoiceLinksGrain<InvoiceLinksState>(state, clock), ICompanyGrain;
