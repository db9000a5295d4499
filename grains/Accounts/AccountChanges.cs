using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Clients.QuickBooks.Model;
using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Common;

namespace OrleansSync.Grains.Accounts;

/// <summary>How the account reads what changed in QuickBooks and hands it on — from webhooks, and by resync.</summary>
public sealed partial class AccountGrain
{
    /// <summary>QuickBooks' change data capture reaches back 30 days; a day less leaves room for clocks.</summary>
    private static readonly TimeSpan ChangeDataCaptureReach = TimeSpan.FromDays(29);

    /// <summary>"Server responses can handle a maximum of 1,000 objects": a full answer may have left some out.</summary>
    private const int ChangeDataCaptureLimit = 1000;

    /// <summary>Ids per IN (…) query.</summary>
    private const int IdsPerQuery = 100;

    private const int RepairedItemsKept = 50;

    private static readonly IReadOnlyDictionary<string, DateTimeOffset> NoneDeleted = new Dictionary<string, DateTimeOffset>();

    private static readonly string[] SyncedEntities = [Invoice.EntityName, Payment.EntityName, Customer.EntityName];

    public async Task<Outcome<ChangesApplied>> ApplyChangesAsync(IReadOnlyList<QuickBooksEntityChange> changes, ChangeCause cause)
    {
        if (await ConnectionProblemAsync() is { } broken)
            return broken;

        var relevant = changes.Where(c => c.Entity is "Invoice" or "Payment" or "Customer").ToList();
        Company.WebhookChangesApplied += relevant.Count;
        Company.LastWebhookAt = clock.GetUtcNow();
        if (relevant.Count == 0)
            return new ChangesApplied(0, 0, UsedChangeDataCapture: false);

        try
        {
            var distinct = relevant.Select(c => (c.Entity, c.EntityId)).Distinct().Count();
            if (distinct > Sync.ChangeDataCaptureThreshold)
            {
                // A burst: one change data capture answers for all of them, where a query per entity would queue behind the rate limit.
                var earliest = relevant.Min(c => c.OccurredAt) ?? clock.GetUtcNow();
                var captured = await CaptureChangesAsync(earliest - Sync.ResyncOverlap, cause);
                await state.WriteStateAsync();
                return new ChangesApplied(captured.Examined, captured.Repaired.Count, UsedChangeDataCapture: true);
            }

            var result = await ReadAnnouncedAsync(relevant, cause);
            await state.WriteStateAsync();
            return result;
        }
        catch (Exception exception) when (Upstream.IsUpstream(exception))
        {
            await state.WriteStateAsync();
            return Upstream.ToProblem(exception, $"Reading {relevant.Count} changes of QuickBooks company {RealmId}");
        }
    }

    public async Task<Outcome<ResyncReport>> ResyncAsync(ChangeCause cause)
    {
        var started = clock.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        if (await ConnectionProblemAsync() is { } broken)
        {
            Company.LastResync = new ResyncReport(started, stopwatch.Elapsed, "none", 0, 0, [], broken.Detail);
            await state.WriteStateAsync();
            return broken;
        }

        string method;
        Captured captured;
        try
        {
            if (Company.Cursor is not { } cursor)
            {
                method = "backfill";
                captured = await BackfillAsync(cause);
            }
            else if (started - cursor > ChangeDataCaptureReach)
            {
                method = "query";
                captured = await QueryChangedSinceAsync(cursor - Sync.ResyncOverlap, SyncedEntities, cause);
            }
            else
            {
                method = "change data capture";
                captured = await CaptureChangesAsync(cursor - Sync.ResyncOverlap, cause);
            }
        }
        catch (Exception exception) when (Upstream.IsUpstream(exception))
        {
            var problem = Upstream.ToProblem(exception, $"Resyncing QuickBooks company {RealmId}");
            Company.LastResync = new ResyncReport(started, stopwatch.Elapsed, "failed", 0, 0, [], problem.Detail);
            await state.WriteStateAsync();
            LogResyncFailed(RealmId, problem.Detail);
            return problem;
        }

        Company.Cursor = captured.ServerTime ?? started;
        var report = new ResyncReport(started, stopwatch.Elapsed, method, captured.Examined, captured.Repaired.Count, captured.Repaired.Take(RepairedItemsKept).ToList(), null);
        Company.LastResync = report;
        await state.WriteStateAsync();
        LogResynced(RealmId, method, captured.Examined, captured.Repaired.Count, stopwatch.ElapsedMilliseconds);
        return report;
    }

    /// <summary>What a read found: how many entities it looked at, what it changed, and QuickBooks' time of the answer.</summary>
    private sealed record Captured(int Examined, List<string> Repaired, DateTimeOffset? ServerTime);

    /// <summary>Reads each announced entity — one query per kind for the lot — and hands on what concerns followed invoices.</summary>
    private async Task<ChangesApplied> ReadAnnouncedAsync(List<QuickBooksEntityChange> changes, ChangeCause cause)
    {
        var invoiceIds = new HashSet<string>(StringComparer.Ordinal);
        var deletedInvoices = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var change in changes.Where(c => c.Entity == Invoice.EntityName && Company.Followed.ContainsKey(c.EntityId)))
        {
            if (change.Operation == "Delete")
                deletedInvoices[change.EntityId] = change.OccurredAt ?? clock.GetUtcNow();
            else
                invoiceIds.Add(change.EntityId);
        }

        var paymentIds = changes.Where(c => c.Entity == Payment.EntityName).Select(c => c.EntityId).ToHashSet(StringComparer.Ordinal);
        var payments = await ReadByIdsAsync<Payment>(paymentIds);
        foreach (var gone in paymentIds.Where(id => payments.All(p => p.Id != id)))
        {
            // A deleted payment raises the balances it paid: read those invoices again.
            if (Company.PaymentInvoices.Remove(gone, out var paid))
                invoiceIds.UnionWith(paid);
        }

        invoiceIds.UnionWith(PaidFollowedInvoices(payments));
        var customerIds = changes.Where(c => c.Entity == Customer.EntityName).Select(c => c.EntityId).ToHashSet(StringComparer.Ordinal);
        invoiceIds.UnionWith(Company.Followed.Where(f => f.Value is not null && customerIds.Contains(f.Value)).Select(f => f.Key));
        invoiceIds.ExceptWith(deletedInvoices.Keys);

        var invoices = await ReadByIdsAsync<Invoice>(invoiceIds);
        foreach (var missing in invoiceIds.Where(id => invoices.All(i => i.Id != id)))
            deletedInvoices[missing] = clock.GetUtcNow(); // a query finds no deleted invoice

        var changed = await HandOnAsync(invoices, deletedInvoices, payments, cause);
        return new ChangesApplied(invoices.Count + payments.Count + deletedInvoices.Count, changed.Count, UsedChangeDataCapture: false);
    }

    /// <summary>Everything changed since <paramref name="since"/>, by change data capture; an entity it answers in full is read again by paged query.</summary>
    private async Task<Captured> CaptureChangesAsync(DateTimeOffset since, ChangeCause cause)
    {
        if (clock.GetUtcNow() - since > ChangeDataCaptureReach)
            return await QueryChangedSinceAsync(since, SyncedEntities, cause);

        var capture = await quickBooks.GetChangesAsync(RealmId, SyncedEntities, since);
        var truncated = SyncedEntities.Where(e => capture.Changes.TryGetValue(e, out var items) && items.Count >= ChangeDataCaptureLimit).ToList();
        if (truncated.Count > 0)
        {
            LogCaptureTruncated(RealmId, string.Join(", ", truncated));
            var queried = await QueryChangedSinceAsync(since, truncated, cause);
            var rest = await HandOnCaptureAsync(capture, except: truncated, cause);
            return new Captured(queried.Examined + rest.Examined, [.. queried.Repaired, .. rest.Repaired], capture.Time);
        }

        return await HandOnCaptureAsync(capture, except: [], cause);
    }

    private async Task<Captured> HandOnCaptureAsync(ChangeSet capture, IReadOnlyList<string> except, ChangeCause cause)
    {
        var invoices = except.Contains(Invoice.EntityName) ? [] : capture.Of<Invoice>();
        var payments = except.Contains(Payment.EntityName) ? [] : capture.Of<Payment>();
        var deleted = invoices.Where(i => i.IsDeleted && i.Id is not null && Company.Followed.ContainsKey(i.Id))
            .ToDictionary(i => i.Id!, i => i.MetaData?.LastUpdatedTime ?? clock.GetUtcNow());
        var live = invoices.Where(i => !i.IsDeleted).ToList();

        // Customers renamed: their followed invoices show the new name once read again.
        var customerIds = (except.Contains(Customer.EntityName) ? [] : capture.Of<Customer>()).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var livePayments = payments.Where(p => !p.IsDeleted).ToList();
        var reread = Company.Followed.Where(f => f.Value is not null && customerIds.Contains(f.Value)).Select(f => f.Key)
            .Concat(PaidFollowedInvoices(livePayments))
            .Except(live.Select(i => i.Id!))
            .Except(deleted.Keys)
            .Distinct()
            .ToList();
        if (reread.Count > 0)
            live.AddRange(await ReadByIdsAsync<Invoice>(reread));

        var repaired = await HandOnAsync(live, deleted, livePayments, cause);
        return new Captured(invoices.Count + payments.Count, repaired, capture.Time);
    }

    /// <summary>Where change data capture cannot reach (older than 30 days, or more than 1,000 objects): a paged query on the update time.</summary>
    private async Task<Captured> QueryChangedSinceAsync(DateTimeOffset since, IReadOnlyList<string> entities, ChangeCause cause)
    {
        var invoices = new List<Invoice>();
        var payments = new List<Payment>();
        if (entities.Contains(Invoice.EntityName))
        {
            await foreach (var invoice in quickBooks.QueryAllAsync<Invoice>(RealmId, ChangedSince<Invoice>(since)))
                invoices.Add(invoice);
        }

        if (entities.Contains(Payment.EntityName))
        {
            await foreach (var payment in quickBooks.QueryAllAsync<Payment>(RealmId, ChangedSince<Payment>(since)))
                payments.Add(payment);
        }

        // A query shows no deleted invoices: a followed invoice it should have found is read alone, which tells.
        var repaired = await HandOnAsync(invoices, NoneDeleted, payments, cause);
        return new Captured(invoices.Count + payments.Count, repaired, null);
    }

    /// <summary>The first resync: every invoice of the company, page by page, so that those already followed are up to date.</summary>
    private async Task<Captured> BackfillAsync(ChangeCause cause)
    {
        var examined = 0;
        var repaired = new List<string>();
        var page = new List<Invoice>(QuickBooksQuery.MaxPageSize);
        await foreach (var invoice in quickBooks.QueryAllAsync<Invoice>(RealmId, QuickBooksQuery.From<Invoice>().OrderBy("Id")))
        {
            examined++;
            if (invoice.Id is not null && Company.Followed.ContainsKey(invoice.Id))
                page.Add(invoice);
            if (page.Count == QuickBooksQuery.MaxPageSize)
            {
                repaired.AddRange(await HandOnAsync(page, NoneDeleted, [], cause));
                page.Clear();
            }
        }

        repaired.AddRange(await HandOnAsync(page, NoneDeleted, [], cause));
        return new Captured(examined, repaired, null);
    }

    /// <summary>
    /// Hands what was read to the invoices followed — all at once, each invoice grain taking its own — and the payments
    /// to the invoices they pay. Answers what changed.
    /// </summary>
    private async Task<List<string>> HandOnAsync(IReadOnlyList<Invoice> invoices, IReadOnlyDictionary<string, DateTimeOffset> deleted, IReadOnlyList<Payment> payments, ChangeCause cause)
    {
        var followed = invoices.Where(i => i.Id is not null && Company.Followed.ContainsKey(i.Id)).ToList();
        foreach (var invoice in followed)
            Company.Followed[invoice.Id!] = invoice.CustomerRef?.Value;

        var observed = followed.Select(async invoice => (await GrainFactory.Invoice(PortalId, RealmId, invoice.Id!).ObserveAsync(Snapshot(invoice), cause), $"invoice {invoice.DocNumber ?? invoice.Id} ({invoice.Id})"));
        var removed = deleted.Select(async gone => (await GrainFactory.Invoice(PortalId, RealmId, gone.Key).ObserveDeletedAsync(gone.Value, cause), $"invoice {gone.Key} deleted"));
        var results = await Task.WhenAll(observed.Concat(removed));
        var changed = results.Where(r => r.Item1).Select(r => r.Item2).ToList();

        // After the balances: a deal reading its invoice when the payment note arrives sees it paid.
        var numbers = invoices.Where(i => i.Id is not null).ToDictionary(i => i.Id!, i => i.DocNumber);
        foreach (var payment in payments)
        {
            foreach (var applied in Applications(payment, numbers))
                await GrainFactory.Invoice(PortalId, RealmId, applied.InvoiceId).PaymentAppliedAsync(applied, cause);
        }

        return changed;
    }

    /// <summary>The followed invoices these payments pay, remembered per payment.</summary>
    private IEnumerable<string> PaidFollowedInvoices(IReadOnlyList<Payment> payments)
    {
        foreach (var payment in payments)
        {
            var paid = Applications(payment, numbers: null).Select(a => a.InvoiceId).ToList();
            if (paid.Count > 0 && payment.Id is not null)
                Company.PaymentInvoices[payment.Id] = paid;
            foreach (var invoiceId in paid)
                yield return invoiceId;
        }
    }

    /// <summary>Each followed invoice a payment pays, with the amount applied to it.</summary>
    private IEnumerable<PaymentApplied> Applications(Payment payment, IReadOnlyDictionary<string, string?>? numbers)
    {
        if (payment.Id is null)
            yield break;
        foreach (var line in payment.Line ?? [])
        {
            foreach (var linked in (line.LinkedTxn ?? []).Where(t => t.TxnType == "Invoice" && t.TxnId is not null && Company.Followed.ContainsKey(t.TxnId)))
            {
                yield return new PaymentApplied(
                    RealmId,
                    payment.Id,
                    linked.TxnId!,
                    numbers?.GetValueOrDefault(linked.TxnId!),
                    line.Amount ?? 0,
                    payment.CurrencyRef?.Value ?? Company.HomeCurrency ?? "USD",
                    payment.TxnDate,
                    payment.PaymentRefNum,
                    payment.CustomerRef?.Name);
            }
        }
    }

    private async Task<List<T>> ReadByIdsAsync<T>(IReadOnlyCollection<string> ids)
        where T : IQuickBooksEntity
    {
        var found = new List<T>(ids.Count);
        foreach (var chunk in ids.Chunk(IdsPerQuery))
        {
            var page = await quickBooks.QueryAsync<T>(RealmId, QuickBooksQuery.From<T>().WhereIn("Id", chunk).Page(1, IdsPerQuery));
            found.AddRange(page.Entities);
        }

        return found;
    }

    private static QuickBooksQuery ChangedSince<T>(DateTimeOffset since)
        where T : IQuickBooksEntity
        => QuickBooksQuery.From<T>().Where("MetaData.LastUpdatedTime", ">=", since).OrderBy("MetaData.LastUpdatedTime");

    private async Task<Problem?> ConnectionProblemAsync()
    {
        var company = GrainFactory.QuickBooksConnection(RealmId);
        if (await company.GetOwnerAsync() != PortalId)
            return Problem.Conflict("Company not connected", $"QuickBooks company {RealmId} is not connected to HubSpot account {PortalId}.");
        var connection = await company.GetStatusAsync();
        return connection.State == ConnectionState.Connected
            ? null
            : Problem.Conflict("Connection needs repair", $"QuickBooks company {RealmId} is {connection.State.ToString().ToLowerInvariant()}: {connection.Reason ?? "connect it again."}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resynced QuickBooks company {RealmId} by {Method}: {Examined} examined, {Repaired} repaired, {Milliseconds} ms")]
    private partial void LogResynced(string realmId, string method, int examined, int repaired, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resyncing QuickBooks company {RealmId} failed: {Detail}")]
    private partial void LogResyncFailed(string realmId, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Change data capture for QuickBooks company {RealmId} answered 1,000 {Entities}: reading them by paged query")]
    private partial void LogCaptureTruncated(string realmId, string entities);
}
