using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Grains.Invoices;

public sealed class InvoiceIndexState
{
    /// <summary>Every invoice followed, by "{realmId}/{invoiceId}", as its grain last put it.</summary>
    public Dictionary<string, InvoiceIndexEntry> Invoices { get; set; } = [];
}

/// <summary>
/// A tenant's invoices at a glance (key <c>{portalId}/invoice-index</c>), for operators to search by number, deal or
/// customer. Invoice grains call it directly from their turns on every change; it never calls an invoice (or
/// anything else), so such a call can never meet one coming the other way and wait for itself.
/// </summary>
public sealed class InvoiceIndexGrain([PersistentState("index")] IPersistentState<InvoiceIndexState> state) : Grain, IInvoiceIndexGrain
{
    public async Task UpsertAsync(InvoiceIndexEntry entry)
    {
        var key = $"{entry.RealmId}/{entry.InvoiceId}";
        if (state.State.Invoices.TryGetValue(key, out var known) && Same(known, entry))
            return;
        state.State.Invoices[key] = entry;
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<InvoiceIndexEntry>> SearchAsync(string? query, int maxResults)
    {
        var q = query?.Trim() ?? "";
        IReadOnlyList<InvoiceIndexEntry> found = state.State.Invoices.Values
            .Where(i => q.Length == 0 || Matches(i, q))
            .OrderByDescending(i => i.LastUpdated)
            .ThenBy(i => i.RealmId, StringComparer.Ordinal)
            .ThenBy(i => i.InvoiceId, StringComparer.Ordinal)
            .Take(Math.Clamp(maxResults, 1, 500))
            .ToList();
        return Task.FromResult(found);
    }

    private static bool Matches(InvoiceIndexEntry invoice, string q)
        => Contains(invoice.DocNumber, q)
           || Contains(invoice.CustomerName, q)
           || invoice.LinkedTo.Any(r => r.ObjectType == CrmRecord.Deals && Contains(r.ObjectId, q));

    private static bool Contains(string? text, string q) => text?.Contains(q, StringComparison.OrdinalIgnoreCase) == true;

    private static bool Same(InvoiceIndexEntry a, InvoiceIndexEntry b) => a with { LinkedTo = b.LinkedTo } == b && a.LinkedTo.SequenceEqual(b.LinkedTo);
}
