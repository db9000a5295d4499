using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Clients.QuickBooks.Model;
using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Common;
using OrleansSync.Grains.Invoices;
using OrleansSync.Grains.Sync;
using OrleansSync.Runtime;

namespace OrleansSync.Grains.Accounts;

public sealed class AccountState
{
    public string? CompanyName { get; set; }

    public string? Country { get; set; }

    public string? HomeCurrency { get; set; }

    public bool? MultiCurrency { get; set; }

    public bool? CustomTxnNumbers { get; set; }

    public DateTimeOffset? ConnectedAt { get; set; }

    public DateTimeOffset? CheckedAt { get; set; }

    /// <summary>The invoices linked to records, with their customer: only these are read when QuickBooks announces changes.</summary>
    public Dictionary<string, string?> Followed { get; set; } = [];

    /// <summary>Which followed invoices each payment paid, so that a deleted payment still finds them.</summary>
    public Dictionary<string, List<string>> PaymentInvoices { get; set; } = [];

    /// <summary>QuickBooks' time of the last complete resync: the next one captures changes since then.</summary>
    public DateTimeOffset? Cursor { get; set; }

    public ResyncReport? LastResync { get; set; }

    public int WebhookChangesApplied { get; set; }

    public DateTimeOffset? LastWebhookAt { get; set; }
}

/// <summary>
/// A QuickBooks company as one tenant sees it (key <c>{portalId}/qbo/{realmId}</c>): the facts invoices are made under
/// — country, home currency, custom transaction numbers — as last read; the search for invoices to add (F11); and the
/// way changes come in. Every change QuickBooks announces for the company, by webhook or found by the periodic resync,
/// is read here and handed to the invoices it concerns: one owner per company, so one rate limiter holds.
/// </summary>
public sealed partial class AccountGrain(
    [PersistentState("account")] IPersistentState<AccountState> state,
    QuickBooksClient quickBooks,
    IOptions<SyncOptions> options,
    [FromKeyedServices(GrainClock.Key)] TimeProvider clock,
    ILogger<AccountGrain> logger) : Grain, IAccountGrain, IRemindable
{
    public const string ResyncReminder = "resync";

    private AccountState Company => state.State;

    private SyncOptions Sync => options.Value;

    private long PortalId => GrainKeys.PortalOf(GetPrimaryKeyString());

    private string RealmId => GetPrimaryKeyString()[(GetPrimaryKeyString().LastIndexOf('/') + 1)..];

    public async Task<AccountView> GetAsync()
    {
        var connection = await GrainFactory.QuickBooksConnection(RealmId).GetStatusAsync();
        var sync = new AccountSyncView(Company.Cursor, Company.Followed.Count, Sync.ResyncInterval, Company.LastResync, Company.WebhookChangesApplied, Company.LastWebhookAt);
        return new AccountView(RealmId, Company.CompanyName, Company.Country, Company.HomeCurrency, Company.MultiCurrency, Company.CustomTxnNumbers, Company.ConnectedAt, Company.CheckedAt, connection, sync);
    }

    public async Task<Outcome<CompanyFacts>> ReadCompanyAsync()
    {
        CompanyInfo info;
        Preferences preferences;
        try
        {
            info = await quickBooks.GetCompanyInfoAsync(RealmId);
            preferences = await quickBooks.GetPreferencesAsync(RealmId);
        }
        catch (Exception exception) when (Upstream.IsUpstream(exception))
        {
            return Upstream.ToProblem(exception, $"Reading QuickBooks company {RealmId}");
        }

        Company.CompanyName = info.CompanyName;
        Company.Country = info.Country;
        Company.HomeCurrency = preferences.CurrencyPrefs?.HomeCurrency?.Value ?? "USD";
        Company.MultiCurrency = preferences.CurrencyPrefs?.MultiCurrencyEnabled ?? false;
        Company.CustomTxnNumbers = preferences.SalesFormsPrefs?.CustomTxnNumbers ?? false;
        Company.CheckedAt = clock.GetUtcNow();
        Company.ConnectedAt ??= Company.CheckedAt;
        await state.WriteStateAsync();
        return new CompanyFacts(RealmId, Company.CompanyName, Company.Country, Company.HomeCurrency, Company.MultiCurrency.Value, Company.CustomTxnNumbers.Value);
    }

    public async Task<Outcome<IReadOnlyList<InvoiceSnapshot>>> SearchInvoicesAsync(InvoiceSearch search)
    {
        if (search.MaxResults is < 1 or > QuickBooksQuery.MaxPageSize)
            return Problem.BadRequest("Bad search", $"maxResults must be between 1 and {QuickBooksQuery.MaxPageSize}.");
        if (search.From > search.To)
            return Problem.BadRequest("Bad search", $"The date range is empty: from {search.From} is after to {search.To}.");

        try
        {
            var query = QuickBooksQuery.From<Invoice>();
            if (search.DocNumber is { Length: > 0 } number)
                query = query.Where("DocNumber", "=", number);
            if (search.From is { } from)
                query = query.Where("TxnDate", ">=", from);
            if (search.To is { } to)
                query = query.Where("TxnDate", "<=", to);
            if (search.CustomerName is { Length: > 0 } name)
            {
                // Invoices are queried by customer id; the name finds the customers first.
                var customers = await quickBooks.QueryAsync<Customer>(RealmId, QuickBooksQuery.From<Customer>().Where("DisplayName", "LIKE", $"%{name}%").Page(1, 100));
                if (customers.Entities.Count == 0)
                    return Array.Empty<InvoiceSnapshot>();
                query = query.WhereIn("CustomerRef", customers.Entities.Select(c => (object)c.Id!));
            }

            var found = await quickBooks.QueryAsync<Invoice>(RealmId, query.OrderBy("TxnDate", descending: true).Page(1, search.MaxResults));
            return found.Entities.Select(Snapshot).ToList();
        }
        catch (Exception exception) when (Upstream.IsUpstream(exception))
        {
            return Upstream.ToProblem(exception, $"Searching the invoices of QuickBooks company {RealmId}");
        }
    }

    public async Task StartSyncAsync()
    {
        // Soon rather than now: the first run backfills, which is no work for the connect request to wait on.
        await RegisterOrUpdateReminder(ResyncReminder, TimeSpan.FromSeconds(1), Sync.ResyncInterval);
    }

    public async Task FollowInvoiceAsync(string invoiceId, string? customerId)
    {
        if (Company.Followed.TryGetValue(invoiceId, out var known) && known == customerId)
            return;
        Company.Followed[invoiceId] = customerId;
        await state.WriteStateAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ResyncReminder)
            return;
        // The connection, not the tenant grain, says who holds the company: the tenant calls this grain, so this grain never calls it.
        if (await GrainFactory.QuickBooksConnection(RealmId).GetOwnerAsync() != PortalId)
        {
            // Disconnected from this tenant: nothing to keep in step until it connects again (which arms the reminder anew).
            if (await GetReminder(ResyncReminder) is { } reminder)
                await UnregisterReminder(reminder);
            return;
        }

        await ResyncAsync(ChangeCause.Resync($"every {Sync.ResyncInterval}"));
    }

    private InvoiceSnapshot Snapshot(Invoice invoice) => InvoiceSnapshots.From(RealmId, invoice, Company.HomeCurrency ?? "USD", clock.GetUtcNow());
}
