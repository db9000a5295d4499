using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansSync.Grains.Deals;
using OrleansSync.Sandbox.HubSpot;

namespace OrleansSync.Bench.RealTime;

/// <summary>
/// One change made to an invoice in QuickBooks: the due date it set (unique for the invoice, so that the deal write
/// carrying it can be told apart), when it was meant to be made, when the sandbox answered the change, and when the
/// deal property with that value — or a later one — landed in HubSpot.
/// </summary>
internal sealed class InvoiceChange(BenchInvoice invoice, string dueDate, long scheduledAt, bool measured)
{
    public BenchInvoice Invoice { get; } = invoice;

    public string DueDate { get; } = dueDate;

    /// <summary>Stopwatch timestamp of the moment the open-loop schedule called for the change.</summary>
    public long ScheduledAt { get; } = scheduledAt;

    public bool Measured { get; } = measured;

    /// <summary>When QuickBooks (the sandbox) had applied the change and answered; 0 until then.</summary>
    public long AnsweredAt { get; set; }

    /// <summary>When HubSpot stored the deal property reflecting the change; 0 until then.</summary>
    public long LandedAt { get; set; }

    /// <summary>A later change to the same invoice was written first, in its place.</summary>
    public bool Coalesced { get; set; }

    /// <summary>The sandbox refused the change (it then never reaches HubSpot, and is counted apart).</summary>
    public string? Failure { get; set; }
}

/// <summary>An invoice of the benchmark: its deal, and its changes not yet seen on the deal, oldest first.</summary>
internal sealed class BenchInvoice(int index, long portalId, string realmId, long dealId, string invoiceId)
{
    private readonly Lock _lock = new();
    private readonly List<InvoiceChange> _pending = [];

    public int Index { get; } = index;

    public long PortalId { get; } = portalId;

    public string RealmId { get; } = realmId;

    public long DealId { get; } = dealId;

    public string InvoiceId { get; } = invoiceId;

    /// <summary>How many changes were made to it so far: the next one's due date comes from this.</summary>
    public int Changes { get; set; }

    /// <summary>The last change's sandbox call: the next one waits for it, so that QuickBooks applies them in order.</summary>
    public Task LastCall { get; set; } = Task.CompletedTask;

    /// <summary>The due date HubSpot shows on the deal, as last written.</summary>
    public string? WrittenDueDate { get; private set; }

    public int Writes { get; private set; }

    public void Expect(InvoiceChange change)
    {
        lock (_lock)
            _pending.Add(change);
    }

    /// <summary>
    /// The deal's due date was written: the change that set it has landed, and so have the earlier ones it overtook
    /// (coalesced — the product wrote only the newest value). A value no pending change set (the invoice's first due
    /// date, or an older value written after a newer one) lands nothing.
    /// </summary>
    public void Written(string dueDate, long at)
    {
        lock (_lock)
        {
            WrittenDueDate = dueDate;
            Writes++;
            var index = _pending.FindIndex(c => c.DueDate == dueDate);
            if (index < 0)
                return;
            for (var i = 0; i <= index; i++)
            {
                _pending[i].LandedAt = at;
                _pending[i].Coalesced = i < index;
            }

            _pending.RemoveRange(0, index + 1);
        }
    }

    /// <summary>A change the sandbox refused will never be written: it stops waiting.</summary>
    public void Forget(InvoiceChange change)
    {
        lock (_lock)
            _pending.Remove(change);
    }
}

/// <summary>
/// Watches the sandbox's HubSpot CRM for the deal property <c>orleanssync_invoice_due_date</c> and hands each value
/// stored to the invoice whose deal it is, timestamped then (under the portal's lock, as HubSpot applies the PATCH).
/// </summary>
internal sealed class DealWrites : ICrmChangeObserver
{
    private readonly ConcurrentDictionary<(long PortalId, long DealId), BenchInvoice> _invoices = new();
    private long _writes;

    /// <summary>Due dates written to followed deals since the start.</summary>
    public long Count => Interlocked.Read(ref _writes);

    public void Follow(BenchInvoice invoice) => _invoices[(invoice.PortalId, invoice.DealId)] = invoice;

    public void PropertyChanged(CrmPropertyChange change)
    {
        if (change.Property != DealProperties.DueDate || change.ObjectType != CrmObjectTypes.Deals.Name
            || !_invoices.TryGetValue((change.PortalId, change.ObjectId), out var invoice))
            return;
        Interlocked.Increment(ref _writes);
        invoice.Written(change.Value, Stopwatch.GetTimestamp());
    }
}
