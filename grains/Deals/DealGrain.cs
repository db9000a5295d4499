using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.HubSpot.Model;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Common;
using OrleansSync.Grains.Invoices;
using OrleansSync.Grains.Records;
using OrleansSync.Runtime;

namespace OrleansSync.Grains.Deals;

public sealed class DealState : InvoiceLinksState
{
    /// <summary>The five properties as last written to HubSpot.</summary>
    public DealInvoiceProperties? Written { get; set; }

    public DateTimeOffset? WrittenAt { get; set; }

    /// <summary>"{realmId}/{invoiceId}" of the invoice the properties follow.</summary>
    public string? PropertiesFollow { get; set; }

    /// <summary>Why the properties are not what the invoice says (another currency, HubSpot failed).</summary>
    public string? PropertiesNote { get; set; }

    /// <summary>Where the properties stand, as last told to the tenant's sync health (F22); null without a linked invoice.</summary>
    public DealSyncState? Health { get; set; }

    /// <summary>Why, as last told.</summary>
    public string? HealthDetail { get; set; }

    /// <summary>Invoices created under an Idempotency-Key, by key.</summary>
    public Dictionary<string, IdempotentCreation> Creations { get; set; } = [];

    /// <summary>Payments shown on the deal (F13), by <see cref="PaymentApplied.Key"/>.</summary>
    public Dictionary<string, PaymentPost> Payments { get; set; } = [];
}

/// <summary>A payment on the deal: being posted (a note may or may not exist — look before posting again), or posted.</summary>
public sealed class PaymentPost
{
    public bool Posted { get; set; }

    public string Where { get; set; } = "";

    public string? HubSpotId { get; set; }

    public DateTimeOffset At { get; set; }

    public decimal Amount { get; set; }

    public string Currency { get; set; } = "";
}

/// <summary>A create request's fingerprint and what it made, so that a retry gets the same answer (B6).</summary>
public sealed class IdempotentCreation
{
    public required string Fingerprint { get; set; }

    public required string RealmId { get; set; }

    public required string InvoiceId { get; set; }

    public List<string> Decisions { get; set; } = [];

    public DateTimeOffset At { get; set; }
}

/// <summary>
/// A deal (key <c>{portalId}/deals/{dealId}</c>): creates invoices from it (F2–F7), holds its linked invoices, and keeps
/// the five invoice properties on it (F9, F10) — following the linked invoice most recently updated in QuickBooks,
/// written only when a value changes, and not at all when that invoice is in another currency than the account's.
/// </summary>
public sealed partial class DealGrain(
    [PersistentState("deal")] IPersistentState<DealState> state,
    HubSpotClient hubSpot,
    QuickBooksClient quickBooks,
    IOptions<HubSpotOptions> hubSpotOptions,
    [FromKeyedServices(GrainClock.Key)] TimeProvider clock,
    ILogger<DealGrain> logger) : InvoiceLinksGrain<DealState>(state, clock), IDealGrain, IRemindable
{
    private const string RetryPropertiesReminder = "write-properties";
    private static readonly TimeSpan IdempotencyWindow = TimeSpan.FromDays(7);
    private static readonly JsonSerializerOptions FingerprintJson = new(JsonSerializerDefaults.Web);

    private string DealId => Self.ObjectId;

    /// <summary>
    /// A deal whose properties were written (or refused) before the sync health index existed tells it when it next
    /// wakes, from what it noted then.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Record.Health is not null || Record.PropertiesFollow is null || Record.Deleted || Record.MergedInto is not null)
            return;
        var health = Record.PropertiesNote switch
        {
            null => DealSyncState.InSync,
            { } note when note.Contains("company currency", StringComparison.Ordinal) => DealSyncState.Excluded,
            _ => DealSyncState.Failing,
        };
        if (await HealthChangedAsync(health, Record.PropertiesNote))
            await WriteStateAsync();
    }

    public async Task<Outcome<CreatedInvoice>> CreateInvoiceAsync(CreateInvoiceCommand command)
    {
        var fingerprint = Fingerprint(command);
        if (command.IdempotencyKey is { } key && Record.Creations.TryGetValue(key, out var earlier))
            return await ReplayAsync(key, earlier, fingerprint);

        var settings = await GrainFactory.Tenant(PortalId).GetSettingsAsync();
        var account = ChooseAccount(settings, command.RealmId);
        if (account.Problem is { } noAccount)
            return noAccount;
        var realmId = account.Value!;

        var connection = await GrainFactory.QuickBooksConnection(realmId).GetStatusAsync();
        if (connection.State != ConnectionState.Connected)
            return Problem.Conflict("Connection needs repair", $"QuickBooks company {realmId} is {connection.State.ToString().ToLowerInvariant()}: {connection.Reason ?? "connect it again."}");

        // The setting can change at any time in QuickBooks, so it is read now, not remembered.
        var company = await GrainFactory.Account(PortalId, realmId).ReadCompanyAsync();
        if (company.Problem is { } unread)
            return unread;
        if (company.Value!.CustomTxnNumbers)
        {
            return Problem.Conflict(
                "Custom transaction numbers are on",
                $"QuickBooks company {company.Value.CompanyName ?? realmId} uses custom transaction numbers, so invoices cannot be created from HubSpot. Turn the setting off in QuickBooks (Settings → Account and settings → Sales → Custom transaction numbers) and try again. Nothing was created.");
        }

        var draft = new InvoiceDraft(hubSpot, quickBooks, PortalId, DealId, command, company.Value, TenantToday(settings), settings.RulesForNewCustomers);
        Outcome<Clients.QuickBooks.Model.Invoice> created;
        try
        {
            created = await draft.CreateAsync();
        }
        catch (Exception exception) when (Upstream.IsUpstream(exception))
        {
            return Upstream.ToProblem(exception, $"Creating an invoice from deal {DealId}");
        }

        if (created.Problem is { } refused)
        {
            LogRefused(DealId, refused.Title, refused.Detail);
            return refused;
        }

        var snapshot = InvoiceSnapshots.From(realmId, created.Value!, company.Value.HomeCurrency, Clock.GetUtcNow());
        var cause = ChangeCause.Request(command.RequestId, $"create invoice from deal {DealId}{(command.IdempotencyKey is null ? "" : $", Idempotency-Key {command.IdempotencyKey}")}");
        var linked = await GrainFactory.Invoice(PortalId, realmId, snapshot.InvoiceId).LinkAsync(new LinkRequest(Self, cause, draft.Decisions, snapshot));
        if (linked.Problem is { } unlinked)
            return unlinked;

        Keep(linked.Value!, cause);
        if (command.IdempotencyKey is { } newKey)
        {
            Record.Creations[newKey] = new IdempotentCreation { Fingerprint = fingerprint, RealmId = realmId, InvoiceId = snapshot.InvoiceId, Decisions = [.. draft.Decisions], At = Clock.GetUtcNow() };
            ForgetOldCreations();
        }

        await WriteStateAsync();
        LogCreated(snapshot.DocNumber, snapshot.InvoiceId, realmId, DealId);
        await LinksChangedAsync();
        return new CreatedInvoice(linked.Value!, draft.Decisions, Replayed: false);
    }

    public Task<DealInvoicesView> GetDealAsync() => Task.FromResult(new DealInvoicesView(
        PortalId,
        Self,
        Record.Links.Select(l => l.View()).ToList(),
        Record.PropertiesFollow,
        Record.Written,
        Record.WrittenAt,
        Record.PropertiesNote,
        Record.Deleted,
        Record.MergedInto,
        [.. Record.Associations],
        Record.Payments.Where(p => p.Value.Posted).Select(p => new PostedPayment(p.Key, p.Value.Where, p.Value.HubSpotId, p.Value.At, p.Value.Amount, p.Value.Currency)).ToList(),
        [.. Record.Activity]));


    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == RetryPropertiesReminder)
            await LinksChangedAsync();
    }

    public async Task<DealHealthReport> RetryPropertiesAsync()
    {
        await LinksChangedAsync();
        return new DealHealthReport(DealId, Record.Health, Record.HealthDetail, Clock.GetUtcNow());
    }

    /// <summary>Keeps the five properties in step with the invoice they follow (F9, F10).</summary>
    protected override async Task LinksChangedAsync()
    {
        if (Record.Deleted || Record.MergedInto is not null)
        {
            // HubSpot has no such deal to write to any more; nor is it in or out of sync.
            if (await HealthChangedAsync(null, null))
                await WriteStateAsync();
            return;
        }

        var leading = Record.Links.MaxBy(l => l.Invoice.Snapshot.LastUpdated)?.Invoice;
        var settings = await GrainFactory.Tenant(PortalId).GetSettingsAsync();
        Record.PropertiesFollow = leading is null ? null : $"{leading.Snapshot.RealmId}/{leading.Snapshot.InvoiceId}";

        if (leading is not null && settings.CompanyCurrency is { } accountCurrency && !string.Equals(leading.Snapshot.Currency, accountCurrency, StringComparison.OrdinalIgnoreCase))
        {
            Record.PropertiesNote = $"Invoice {leading.Snapshot.DocNumber ?? leading.Snapshot.InvoiceId} is in {leading.Snapshot.Currency}, but HubSpot account {PortalId}'s company currency is {accountCurrency}: the invoice stays linked, and its data is not written to the deal.";
            await HealthChangedAsync(DealSyncState.Excluded, Record.PropertiesNote);
            await WriteStateAsync();
            await StopRetryingAsync();
            return;
        }

        var wanted = leading is null ? DealProperties.Cleared : DealProperties.From(leading);
        var changes = DealProperties.Changed(Record.Written, wanted);
        if (changes.Count > 0)
        {
            try
            {
                await hubSpot.UpdateObjectAsync(PortalId, CrmObjectTypes.Deals, DealId, changes);
            }
            catch (Exception exception) when (Upstream.IsUpstream(exception))
            {
                Record.PropertiesNote = $"Writing the invoice properties to the deal failed; retrying every minute. {Upstream.ToProblem(exception, "Updating the deal").Detail}";
                await HealthChangedAsync(DealSyncState.Failing, Record.PropertiesNote);
                await WriteStateAsync();
                await RegisterOrUpdateReminder(RetryPropertiesReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
                LogPropertiesFailed(exception, DealId);
                return;
            }

            Record.Written = wanted;
            Record.WrittenAt = Clock.GetUtcNow();
            LogPropertiesWritten(DealId, string.Join(", ", changes.Keys));
        }

        Record.PropertiesNote = null;
        await HealthChangedAsync(leading is null ? null : DealSyncState.InSync, null);
        await WriteStateAsync();
        await StopRetryingAsync();
    }

    /// <summary>
    /// Tells the tenant's sync health index where the properties stand, when that changed (before the state is
    /// written: a write that fails makes the next change tell again, which the index takes as a repeat). A direct
    /// call is safe: the index never calls a deal back. True when it changed.
    /// </summary>
    private async Task<bool> HealthChangedAsync(DealSyncState? health, string? detail)
    {
        if (Record.Health == health && Record.HealthDetail == detail)
            return false;
        await GrainFactory.SyncHealth(PortalId).ReportDealAsync(new DealHealthReport(DealId, health, detail, Clock.GetUtcNow()));
        Record.Health = health;
        Record.HealthDetail = detail;
        return true;
    }

    /// <summary>
    /// Someone changed one of our properties in HubSpot: what was written is no longer there, so it is written again.
    /// Changes from before our last write are the echoes of our own earlier writes, and tell nothing.
    /// </summary>
    protected override string? PropertyChanged(RecordChange change)
    {
        if (Record.Written is not { } written || change.OccurredAt <= Record.WrittenAt
            || DealProperties.AsSeenInHubSpot(written, change.PropertyName ?? "", change.PropertyValue) is not { } seen)
            return null;
        Record.Written = seen;
        return $"{change.PropertyName} was changed in HubSpot to '{change.PropertyValue}'; the invoice's value is written back.";
    }

    private async Task<Outcome<CreatedInvoice>> ReplayAsync(string key, IdempotentCreation earlier, string fingerprint)
    {
        if (earlier.Fingerprint != fingerprint)
            return Problem.Unprocessable("Idempotency-Key reused", $"Idempotency-Key '{key}' was first used for a different request on deal {DealId}; use a new key for a new request.");
        var link = Record.Links.Find(l => l.Is(earlier.RealmId, earlier.InvoiceId));
        var invoice = link?.Invoice ?? (await GrainFactory.Invoice(PortalId, earlier.RealmId, earlier.InvoiceId).GetAsync())?.Summary;
        return invoice is null
            ? Problem.NotFound("Invoice gone", $"The invoice created under Idempotency-Key '{key}' is no longer followed.")
            : new CreatedInvoice(invoice, earlier.Decisions, Replayed: true);
    }

    private Outcome<string> ChooseAccount(TenantSettings settings, string? realmId)
    {
        if (!settings.Installed)
            return Problem.Conflict("Not installed", $"HubSpot account {PortalId} has not installed the app.");
        if (realmId is not null)
        {
            return settings.ConnectedRealmIds.Contains(realmId)
                ? realmId
                : Problem.Conflict("Company not connected", $"QuickBooks company {realmId} is not connected to HubSpot account {PortalId}.");
        }

        return settings.ConnectedRealmIds.Count switch
        {
            0 => Problem.Conflict("No company connected", $"HubSpot account {PortalId} has no QuickBooks company connected: connect one first."),
            1 => settings.ConnectedRealmIds[0],
            _ => Problem.BadRequest("Which company?", $"HubSpot account {PortalId} has {settings.ConnectedRealmIds.Count} QuickBooks companies connected ({string.Join(", ", settings.ConnectedRealmIds)}): say which with realmId."),
        };
    }

    private DateOnly TenantToday(TenantSettings settings)
    {
        var zone = TimeZoneInfo.Utc;
        if (settings.TimeZone is { Length: > 0 } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found))
            zone = found;
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Clock.GetUtcNow(), zone).DateTime);
    }

    private void ForgetOldCreations()
    {
        var horizon = Clock.GetUtcNow() - IdempotencyWindow;
        foreach (var (key, creation) in Record.Creations.Where(c => c.Value.At < horizon).ToList())
            Record.Creations.Remove(key);
    }

    private async Task StopRetryingAsync()
    {
        if (await GetReminder(RetryPropertiesReminder) is { } reminder)
            await UnregisterReminder(reminder);
    }

    /// <summary>What makes two requests "the same": everything but the request's own id and key.</summary>
    private static string Fingerprint(CreateInvoiceCommand command)
        => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(command with { RequestId = "", IdempotencyKey = null }, FingerprintJson))));

    [LoggerMessage(Level = LogLevel.Information, Message = "Created invoice {DocNumber} ({InvoiceId}) in QuickBooks company {RealmId} from deal {DealId}")]
    private partial void LogCreated(string? docNumber, string invoiceId, string realmId, string dealId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused to create an invoice from deal {DealId}: {Title}. {Detail}")]
    private partial void LogRefused(string dealId, string title, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Properties} to deal {DealId}")]
    private partial void LogPropertiesWritten(string dealId, string properties);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the invoice properties to deal {DealId} failed; retrying")]
    private partial void LogPropertiesFailed(Exception exception, string dealId);
}
