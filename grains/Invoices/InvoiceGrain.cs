using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Common;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Inbox;
using OrleansSync.Runtime.Outbox;

namespace OrleansSync.Grains.Invoices;

public sealed class InvoiceState
{
    public InvoiceSnapshot? Snapshot { get; set; }

    public InvoiceStatus Status { get; set; }

    public List<CrmRecord> LinkedTo { get; set; } = [];

    /// <summary>Goes up with every change, so that a record told twice, or late, keeps the newest.</summary>
    public int Version { get; set; }

    /// <summary>When the overdue reminder fires next, if one is set.</summary>
    public DateTimeOffset? OverdueCheckAt { get; set; }

    public List<HistoryEntry> History { get; set; } = [];

    /// <summary>Payments applied to the invoice, by payment id, with the amount: each is passed on to the deals once.</summary>
    public Dictionary<string, decimal> Payments { get; set; } = [];
}

/// <summary>
/// One QuickBooks invoice (key <c>{portalId}/qbo/{realmId}/invoice/{invoiceId}</c>). Every change — the create request,
/// an operator's resync, the overdue reminder, later the webhooks — goes through <see cref="ApplyAsync"/>: the status
/// is worked out again, the change is written to the history with its cause (B1), the overdue reminder is set for
/// the day after the due date, and the linked records are told through the inbox.
/// </summary>
public sealed partial class InvoiceGrain(
    [PersistentState("invoice")] IPersistentState<InvoiceState> state,
    QuickBooksClient quickBooks,
    IInbox inbox,
    IOutbox outbox,
    [FromKeyedServices(GrainClock.Key)] TimeProvider clock,
    ILogger<InvoiceGrain> logger) : Grain, IInvoiceGrain
{
    public const string OverdueReminder = "overdue";
    private const int HistoryLimit = 500;
    private static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private InvoiceState Invoice => state.State;

    private long PortalId => GrainKeys.PortalOf(GetPrimaryKeyString());

    private string RealmId => GetPrimaryKeyString().Split('/')[2];

    private string InvoiceId => GetPrimaryKeyString().Split('/')[4];

    /// <summary>
    /// An invoice followed before the index existed gets into it when it next wakes (the index ignores a summary it
    /// already holds, so this costs a call and no write).
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Invoice.Snapshot is { } snapshot)
            await IndexAsync(snapshot, Invoice.Status);
    }

    public async Task<Outcome<InvoiceSummary>> LinkAsync(LinkRequest request)
    {
        var observed = request.Known;
        if (observed is null)
        {
            var read = await ReadAsync();
            if (read.Problem is { } problem)
                return problem;
            observed = read.Value!;
            if (observed.Deleted && Invoice.Snapshot is null)
                return Problem.NotFound("No such invoice", $"QuickBooks company {RealmId} has no invoice {InvoiceId}.");
        }

        var decisions = request.Decisions.ToList();
        var followedBefore = Invoice.Snapshot is not null;
        if (!Invoice.LinkedTo.Contains(request.Record))
        {
            Invoice.LinkedTo.Add(request.Record);
            decisions.Add($"Linked to {request.Record}.");
        }

        await ApplyAsync(observed, request.Cause, decisions);
        if (!followedBefore)
        {
            // From now on the account reads this invoice whenever QuickBooks announces a change to it. (The account never
            // calls an invoice it does not follow yet, so this call cannot meet one coming the other way.)
            await GrainFactory.Account(PortalId, RealmId).FollowInvoiceAsync(InvoiceId, observed.CustomerId);
        }

        return Summary();
    }

    public async Task<Outcome<InvoiceSummary>> UnlinkAsync(CrmRecord record, ChangeCause cause)
    {
        if (Invoice.Snapshot is null || !Invoice.LinkedTo.Remove(record))
            return Problem.NotFound("Not linked", $"Invoice {InvoiceId} of QuickBooks company {RealmId} is not linked to {record}.");
        await ApplyAsync(Invoice.Snapshot, cause, [$"Unlinked from {record}."]);
        return Summary();
    }

    public async Task<Outcome<InvoiceSummary>> SyncAsync(ChangeCause cause)
    {
        if (Invoice.Snapshot is null)
            return Problem.NotFound("Not linked", $"Invoice {InvoiceId} of QuickBooks company {RealmId} is linked to no record, so it is not followed.");
        var read = await ReadAsync();
        if (read.Problem is { } problem)
            return problem;
        await ApplyAsync(read.Value!, cause, []);
        return Summary();
    }

    public async Task<bool> ObserveAsync(InvoiceSnapshot observed, ChangeCause cause)
    {
        // Not followed; older than what the grain has (a late webhook behind a resync); or exactly what it has — then
        // only time could change the status, and that is the overdue reminder's to say.
        if (Invoice.Snapshot is not { } current || observed.LastUpdated < current.LastUpdated || observed == current)
            return false;
        return await ApplyAsync(observed, cause, []);
    }

    public async Task<bool> ObserveDeletedAsync(DateTimeOffset at, ChangeCause cause)
    {
        if (Invoice.Snapshot is not { } current || current.Deleted)
            return false;
        return await ApplyAsync(InvoiceSnapshots.Deleted(current, at), cause, []);
    }

    public async Task PaymentAppliedAsync(PaymentApplied payment, ChangeCause cause)
    {
        if (Invoice.Snapshot is null || (Invoice.Payments.TryGetValue(payment.PaymentId, out var known) && known == payment.Amount))
            return;

        Invoice.Payments[payment.PaymentId] = payment.Amount;
        var deals = Invoice.LinkedTo.Where(r => r.ObjectType == CrmRecord.Deals).ToList();
        var what = $"Payment {payment.PaymentRefNum ?? payment.PaymentId} applied: {Amount(payment.Amount)} {payment.Currency}{(deals.Count == 0 ? "." : $"; shown on {string.Join(", ", deals)}.")}";
        AddHistory(new HistoryEntry(clock.GetUtcNow(), cause, what, []));
        await state.WriteStateAsync();
        if (deals.Count > 0)
            await inbox.AppendAsync(deals.Select(deal => PaymentNotices.Applied(PortalId, deal, payment with { InvoiceNumber = payment.InvoiceNumber ?? Invoice.Snapshot.DocNumber })).ToList());
    }

    public Task<InvoiceView?> GetAsync()
        => Task.FromResult(Invoice.Snapshot is null ? null : new InvoiceView(Summary(), Invoice.OverdueCheckAt, Invoice.History));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != OverdueReminder || Invoice.Snapshot is null)
            return;
        // Time alone moved the invoice: no webhook, no read — the balance and due date are as QuickBooks last said.
        await ApplyAsync(Invoice.Snapshot, ChangeCause.Reminder($"due date {Invoice.Snapshot.DueDate:yyyy-MM-dd} passed"), []);
    }

    /// <summary>The one path for a change: status, history, overdue reminder, state, and word to the linked records. True when something changed.</summary>
    private async Task<bool> ApplyAsync(InvoiceSnapshot observed, ChangeCause cause, IReadOnlyList<string> decisions)
    {
        var now = clock.GetUtcNow();
        var before = Invoice.Snapshot;
        var beforeStatus = Invoice.Status;
        var status = InvoiceStatusRules.Derive(observed, InvoiceStatusRules.CompanyToday(observed, now));
        var changes = Compare(before, beforeStatus, observed, status);
        if (changes.Count == 0 && decisions.Count == 0)
            return false;

        Invoice.Snapshot = observed;
        Invoice.Status = status;
        Invoice.Version++;
        AddHistory(new HistoryEntry(now, cause, Describe(before, beforeStatus, status, decisions), changes));
        await ArmOverdueReminderAsync(observed, status, now);
        if (before is null || status != beforeStatus)
        {
            // Before the state: a change whose write fails comes again with the same version, and so the same key.
            var changed = new InvoiceStatusChanged(PortalId, RealmId, InvoiceId, observed.DocNumber, before is null ? null : beforeStatus, status, observed.TotalAmt, observed.Balance, observed.Currency, [.. Invoice.LinkedTo], cause, now, Invoice.Version);
            await outbox.AppendAsync([new OutboxMessage(PortalId.ToString(CultureInfo.InvariantCulture), InvoiceStatusChanged.Topic, changed.Key, JsonSerializer.Serialize(changed, EventJson))]);
        }

        await state.WriteStateAsync();
        LogChanged(InvoiceId, RealmId, InvoiceStatusRules.Label(status), cause.ToString());

        await IndexAsync(observed, status);

        if (Invoice.LinkedTo.Count > 0)
            await inbox.AppendAsync([InvoiceNotices.Changed(Summary())]);
        return true;
    }

    /// <summary>Puts the invoice in its tenant's index, for operators' search. A direct call is safe: the index never calls an invoice back.</summary>
    private Task IndexAsync(InvoiceSnapshot snapshot, InvoiceStatus status)
        => GrainFactory.InvoiceIndex(PortalId).UpsertAsync(new InvoiceIndexEntry(
            RealmId, InvoiceId, snapshot.DocNumber, snapshot.CustomerName, status, snapshot.TotalAmt, snapshot.Balance, snapshot.Currency, snapshot.DueDate, [.. Invoice.LinkedTo], snapshot.LastUpdated));

    private void AddHistory(HistoryEntry entry)
    {
        Invoice.History.Add(entry);
        if (Invoice.History.Count > HistoryLimit)
            Invoice.History.RemoveRange(1, Invoice.History.Count - HistoryLimit); // the first entry says how it began
    }

    /// <summary>Set for the day after the due date while the invoice can still fall overdue; moved with the due date; dropped once paid, voided or deleted.</summary>
    private async Task ArmOverdueReminderAsync(InvoiceSnapshot invoice, InvoiceStatus status, DateTimeOffset now)
    {
        var due = status == InvoiceStatus.Overdue ? null : InvoiceStatusRules.OverdueAt(invoice);
        if (due == Invoice.OverdueCheckAt)
            return;
        if (due is { } at)
        {
            // Daily after the first tick, in case the grain clock and the company's disagree by a few hours.
            await RegisterOrUpdateReminder(OverdueReminder, at > now ? at - now : TimeSpan.Zero, TimeSpan.FromDays(1));
        }
        else if (await GetReminder(OverdueReminder) is { } reminder)
        {
            await UnregisterReminder(reminder);
        }

        Invoice.OverdueCheckAt = due;
    }

    private async Task<Outcome<InvoiceSnapshot>> ReadAsync()
    {
        try
        {
            var invoice = await quickBooks.GetInvoiceAsync(RealmId, InvoiceId);
            return InvoiceSnapshots.From(RealmId, invoice, Invoice.Snapshot?.Currency ?? await HomeCurrencyAsync(), clock.GetUtcNow());
        }
        catch (QuickBooksException missing) when (missing.HasCode("610") || missing.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // QuickBooks answers "Object Not Found" for a deleted invoice as for one that never was.
            return Invoice.Snapshot is { } last
                ? InvoiceSnapshots.Deleted(last, clock.GetUtcNow())
                : Problem.NotFound("No such invoice", $"QuickBooks company {RealmId} has no invoice {InvoiceId}.");
        }
        catch (Exception exception) when (Upstream.IsUpstream(exception))
        {
            return Upstream.ToProblem(exception, $"Reading invoice {InvoiceId} of QuickBooks company {RealmId}");
        }
    }

    private async Task<string> HomeCurrencyAsync() => (await GrainFactory.Account(PortalId, RealmId).GetAsync()).HomeCurrency ?? "USD";

    private InvoiceSummary Summary() => new(PortalId, Invoice.Snapshot!, Invoice.Status, [.. Invoice.LinkedTo], Invoice.Version);

    private static string Describe(InvoiceSnapshot? before, InvoiceStatus beforeStatus, InvoiceStatus status, IReadOnlyList<string> decisions)
    {
        var what = before is null ? $"Now followed, {InvoiceStatusRules.Label(status)}." : status != beforeStatus ? $"{InvoiceStatusRules.Label(beforeStatus)} → {InvoiceStatusRules.Label(status)}." : "Changed in QuickBooks.";
        return decisions.Count == 0 ? what : $"{what} {string.Join(" ", decisions)}";
    }

    private static List<FieldChange> Compare(InvoiceSnapshot? before, InvoiceStatus beforeStatus, InvoiceSnapshot after, InvoiceStatus status)
    {
        var changes = new List<FieldChange>();
        Field("Status", before is null ? null : InvoiceStatusRules.Label(beforeStatus), InvoiceStatusRules.Label(status));
        Field("DocNumber", before?.DocNumber, after.DocNumber);
        Field("Customer", before?.CustomerName, after.CustomerName);
        Field("BillEmail", before?.BillEmail, after.BillEmail);
        Field("Currency", before?.Currency, after.Currency);
        Field("TotalAmt", Amount(before?.TotalAmt), Amount(after.TotalAmt));
        Field("Balance", Amount(before?.Balance), Amount(after.Balance));
        Field("TxnDate", Date(before?.TxnDate), Date(after.TxnDate));
        Field("DueDate", Date(before?.DueDate), Date(after.DueDate));
        Field("EmailStatus", before?.EmailStatus, after.EmailStatus);
        Field("Voided", before?.Voided.ToString(), after.Voided.ToString());
        Field("Deleted", before?.Deleted.ToString(), after.Deleted.ToString());
        return changes;

        void Field(string name, string? was, string? now)
        {
            if (was != now)
                changes.Add(new FieldChange(name, was, now));
        }
    }

    private static string? Amount(decimal? amount) => amount?.ToString("0.00", CultureInfo.InvariantCulture);

    private static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice {InvoiceId} of company {RealmId} is {Status} ({Cause})")]
    private partial void LogChanged(string invoiceId, string realmId, string status, string cause);
}
