using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Clients.QuickBooks.Model;
using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Common;
using OrleansSync.Grains.Invoices;
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
}

/// <summary>
/// A QuickBooks company as one tenant sees it (key <c>{portalId}/qbo/{realmId}</c>): the facts invoices are made under
/// — country, home currency, custom transaction numbers — as last read, and the search for invoices to add (F11).
/// </summary>
public sealed class AccountGrain(
    [PersistentState("account")] IPersistentState<AccountState> state,
    QuickBooksClient quickBooks,
    [FromKeyedServices(GrainClock.Key)] TimeProvider clock) : Grain, IAccountGrain
{
    private string RealmId => GetPrimaryKeyString()[(GetPrimaryKeyString().LastIndexOf('/') + 1)..];

    public async Task<AccountView> GetAsync()
    {
        var connection = await GrainFactory.QuickBooksConnection(RealmId).GetStatusAsync();
        var company = state.State;
        return new AccountView(RealmId, company.CompanyName, company.Country, company.HomeCurrency, company.MultiCurrency, company.CustomTxnNumbers, company.ConnectedAt, company.CheckedAt, connection);
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

        var company = state.State;
        company.CompanyName = info.CompanyName;
        company.Country = info.Country;
        company.HomeCurrency = preferences.CurrencyPrefs?.HomeCurrency?.Value ?? "USD";
        company.MultiCurrency = preferences.CurrencyPrefs?.MultiCurrencyEnabled ?? false;
        company.CustomTxnNumbers = preferences.SalesFormsPrefs?.CustomTxnNumbers ?? false;
        company.CheckedAt = clock.GetUtcNow();
        company.ConnectedAt ??= company.CheckedAt;
        await state.WriteStateAsync();
        return new CompanyFacts(RealmId, company.CompanyName, company.Country, company.HomeCurrency, company.MultiCurrency.Value, company.CustomTxnNumbers.Value);
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
            var homeCurrency = state.State.HomeCurrency ?? "USD";
            return found.Entities.Select(invoice => InvoiceSnapshots.From(RealmId, invoice, homeCurrency, clock.GetUtcNow())).ToList();
        }
        catch (Exception exception) when (Upstream.IsUpstream(exception))
        {
            return Upstream.ToProblem(exception, $"Searching the invoices of QuickBooks company {RealmId}");
        }
    }
}
