using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Inbox;
using OrleansSync.Runtime.Metrics;

namespace OrleansSync.Dashboard.Api;

/// <summary>
/// Every tenant as operators see it: connections and token expiry, the HubSpot and QuickBooks budgets in use (B4) —
/// read from the stats of the silo owning the tenant, where its limiters are —, each company's sync and last resync,
/// and sync health (F22): the deals the tenant's health index knows, broken connections, failed resyncs and the
/// tenant's dead letters, each failure with what retrying it does.
/// </summary>
internal sealed class TenantsView(
    IGrainFactory grains,
    ClusterView cluster,
    IPartitionLeaseTable leases,
    TenantPartitioner partitioner,
    IInboxMonitor inbox,
    IOptions<DashboardOptions> options,
    IOptions<HubSpotOptions> hubSpotOptions,
    IOptions<QuickBooksOptions> quickBooksOptions,
    TimeProvider time)
{
    public const string Connection = "connection";
    public const string HubSpotWrite = "hubspot-write";
    public const string Resync = "resync";
    public const string Inbox = "inbox";

    /// <summary>The retries a failure can offer.</summary>
    public static class RetryKinds
    {
        public const string Resync = "resync";
        public const string DealProperties = "deal-properties";
        public const string DeadLetter = "dead-letter";
        public const string Reconnect = "reconnect";
    }

    private const int DeadLettersPerTenant = 50;

    public async Task<IReadOnlyList<TenantRow>> ListAsync(CancellationToken cancellationToken)
    {
        var portals = await grains.TenantDirectory().ListAsync().WaitAsync(options.Value.TenantTimeout, time, cancellationToken);
        var budgets = await BudgetsByOwnerAsync(cancellationToken);
        return await Task.WhenAll(portals.Select(portalId => RowAsync(portalId, budgets(portalId), cancellationToken)));
    }

    /// <summary>One tenant, within <see cref="DashboardOptions.TenantTimeout"/>; a tenant whose grains are busy shows as such.</summary>
    private async Task<TenantRow> RowAsync(long portalId, RateLimitUsage? budgets, CancellationToken cancellationToken)
    {
        var tenant = portalId.ToString(CultureInfo.InvariantCulture);
        // No usage known (no request lately, or the owner did not answer): none used, of the configured limits.
        var hubSpotBudget = budgets?.HubSpot.GetValueOrDefault(tenant) ?? new HubSpotLimitUsage(0, hubSpotOptions.Value.RequestsPerTenSeconds, 10);
        var quickBooks = quickBooksOptions.Value;
        var unusedQuickBooks = new QuickBooksLimitUsage(0, quickBooks.RequestsPerMinute, 0, quickBooks.RequestsPerSecond, 0, quickBooks.ConcurrentRequests);
        try
        {
            var viewing = grains.Tenant(portalId).GetAsync();
            var health = grains.SyncHealth(portalId).GetAsync();
            var dead = inbox.ListDeadLettersAsync(tenant, 0, DeadLettersPerTenant, cancellationToken);
            await Task.WhenAll(viewing, health, dead).WaitAsync(options.Value.TenantTimeout, time, cancellationToken);
            var view = viewing.Result;
            var accounts = view.Accounts.Select(a => new AccountRow(
                a.RealmId,
                a.CompanyName,
                a.Connection,
                budgets?.QuickBooks.GetValueOrDefault(a.RealmId) ?? unusedQuickBooks,
                a.Sync)).ToList();
            return new TenantRow(portalId, view.Installed, view.CompanyCurrency, view.HubSpot, hubSpotBudget, accounts, Health(view, health.Result, dead.Result), null);
        }
        catch (TimeoutException)
        {
            return new TenantRow(portalId, true, null, null, hubSpotBudget, [], new SyncHealth(0, 0, 0, []),
                $"HubSpot account {portalId}'s grains did not answer within {options.Value.TenantTimeout.TotalSeconds:0.#} s (busy with a resync, say); try again.");
        }
    }

    private static SyncHealth Health(TenantView view, SyncHealthView deals, IReadOnlyList<DeadLetter> dead)
    {
        var failures = new List<SyncFailure>();
        if (view.HubSpot is { State: ConnectionState.Broken } hubSpot)
            failures.Add(new SyncFailure("hubspot", Connection, hubSpot.Reason ?? "HubSpot refused the app's tokens.", hubSpot.Since, new RetryAction(RetryKinds.Reconnect, "hubspot")));
        foreach (var account in view.Accounts)
        {
            var record = $"quickbooks/{account.RealmId}";
            if (account.Connection.State == ConnectionState.Broken)
            {
                failures.Add(new SyncFailure(record, Connection, account.Connection.Reason ?? "QuickBooks refused the app's tokens.", account.Connection.Since, new RetryAction(RetryKinds.Reconnect, account.RealmId)));
            }
            else if (account.Connection.State == ConnectionState.Connected && account.Sync?.LastResync is { Error: { } error } resync)
            {
                failures.Add(new SyncFailure(record, Resync, error, resync.StartedAt, new RetryAction(RetryKinds.Resync, account.RealmId)));
            }
        }

        failures.AddRange(deals.Failures.Select(d => new SyncFailure($"{CrmRecord.Deals}/{d.DealId}", HubSpotWrite, d.Detail ?? "Writing the invoice properties failed.", d.Since, new RetryAction(RetryKinds.DealProperties, d.DealId))));
        failures.AddRange(dead.Select(d => new SyncFailure($"inbox/{d.Id}", Inbox, $"{d.Source} event {d.EventId} failed {d.Attempts} times: {d.LastError}", d.ReceivedAt, new RetryAction(RetryKinds.DeadLetter, d.Id.ToString()))));
        return new SyncHealth(deals.InSync, deals.Excluded, failures.Count, failures);
    }

    /// <summary>
    /// A tenant's budgets: the rate-limit section of the stats of the silo owning the tenant's partition (where its
    /// grains, and so its limiters, are). Null when that silo did not answer.
    /// </summary>
    private async Task<Func<long, RateLimitUsage?>> BudgetsByOwnerAsync(CancellationToken cancellationToken)
    {
        var silos = await cluster.ReadStatsAsync(seconds: 1, cancellationToken);
        var bySilo = new Dictionary<string, RateLimitUsage>(StringComparer.Ordinal);
        foreach (var silo in silos)
        {
            if (silo.Stats?.Sections.GetValueOrDefault(RateLimitUsage.SectionName) is { ValueKind: JsonValueKind.Object } section
                && section.Deserialize(DashboardJsonContext.Default.RateLimitUsage) is { } usage)
                bySilo[silo.Silo.SiloId] = usage;
        }

        var now = time.GetUtcNow();
        var owners = (await leases.ReadAllAsync())
            .Where(l => l.OwnerSiloId is not null && l.ExpiresAt > now)
            .ToDictionary(l => l.Partition, l => l.OwnerSiloId!);
        return portalId => owners.TryGetValue(partitioner.GetPartition(portalId.ToString(CultureInfo.InvariantCulture)), out var owner)
            ? bySilo.GetValueOrDefault(owner)
            : null;
    }
}
