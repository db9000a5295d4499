using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSync.Clients.HubSpot;
using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Common;
using OrleansSync.Grains.Deals;
using OrleansSync.Runtime;

namespace OrleansSync.Grains.Tenants;

public sealed class TenantState
{
    public bool Installed { get; set; }

    public DateTimeOffset? InstalledAt { get; set; }

    public string? CompanyCurrency { get; set; }

    public string? TimeZone { get; set; }

    public bool PropertiesReady { get; set; }

    public string? PropertiesProblem { get; set; }

    /// <summary>Companies ever connected, in the order they were; a disconnected one stays listed as such.</summary>
    public List<TenantAccount> Accounts { get; set; } = [];

    /// <summary>The invoice behaviour and contact-sync settings (F14); the defaults (legacy) until someone sets them.</summary>
    public InvoiceSettings? InvoiceSettings { get; set; }
}

public sealed class TenantAccount
{
    public required string RealmId { get; set; }

    public bool Connected { get; set; }
}

/// <summary>
/// A HubSpot account (key <c>{portalId}/tenant</c>): its install, the currency and time zone HubSpot reports for
/// it, the QuickBooks companies connected to it (F1, F1b), and how its invoices treat contacts (F14).
/// </summary>
public sealed partial class TenantGrain(
    [PersistentState("tenant")] IPersistentState<TenantState> state,
    HubSpotClient hubSpot,
    [FromKeyedServices(GrainClock.Key)] TimeProvider clock,
    ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    private long PortalId => GrainKeys.PortalOf(GetPrimaryKeyString());

    public async Task<Outcome<TenantView>> InstallAsync(HubSpotInstall install)
    {
        if (install.PortalId != PortalId)
            return Problem.BadRequest("Wrong account", $"Tokens of HubSpot account {install.PortalId} were given to account {PortalId}.");

        await GrainFactory.HubSpotCredentials(PortalId).StoreAsync(install);
        await GrainFactory.TenantDirectory().AddAsync(PortalId);
        state.State.Installed = true;
        state.State.InstalledAt ??= clock.GetUtcNow();

        Problem? problem = null;
        try
        {
            var account = await hubSpot.GetAccountDetailsAsync(PortalId);
            state.State.CompanyCurrency = account.CompanyCurrency;
            state.State.TimeZone = account.TimeZone;
            await DealProperties.EnsureAsync(hubSpot, PortalId);
            state.State.PropertiesReady = true;
            state.State.PropertiesProblem = null;
        }
        catch (Exception exception) when (Upstream.IsUpstream(exception))
        {
            problem = Upstream.ToProblem(exception, $"Setting up HubSpot account {PortalId}");
            state.State.PropertiesProblem = problem.Detail;
            LogSetupFailed(exception, PortalId);
        }

        await state.WriteStateAsync();
        LogInstalled(PortalId, state.State.CompanyCurrency);
        return problem is null ? await GetAsync() : problem;
    }

    public async Task<TenantView> GetAsync()
    {
        var accounts = await Task.WhenAll(state.State.Accounts.Select(account => GrainFactory.Account(PortalId, account.RealmId).GetAsync()));
        ConnectionView? hubSpotConnection = state.State.Installed ? await GrainFactory.HubSpotCredentials(PortalId).GetStatusAsync() : null;
        return new TenantView(
            PortalId,
            state.State.Installed,
            state.State.InstalledAt,
            state.State.CompanyCurrency,
            state.State.TimeZone,
            hubSpotConnection,
            state.State.PropertiesReady,
            state.State.PropertiesProblem,
            accounts);
    }

    public Task<TenantSettings> GetSettingsAsync() => Task.FromResult(new TenantSettings(
        PortalId,
        state.State.Installed,
        state.State.CompanyCurrency,
        state.State.TimeZone,
        state.State.Accounts.Where(a => a.Connected).Select(a => a.RealmId).ToList(),
        state.State.InvoiceSettings ?? InvoiceSettings.Default));

    public async Task<Outcome<InvoiceSettings>> UpdateInvoiceSettingsAsync(InvoiceSettings settings)
    {
        if (!state.State.Installed)
            return Problem.NotFound("No such tenant", $"HubSpot account {PortalId} has not installed the app.");
        if (settings.Invalid() is { } invalid)
            return Problem.BadRequest("Bad settings", invalid);

        state.State.InvoiceSettings = settings with { ContactSync = settings.ContactSync with { LifecycleStages = [.. settings.ContactSync.LifecycleStages] } };
        await state.WriteStateAsync();
        LogInvoiceSettings(PortalId, settings.InvoiceBehaviour, settings.ContactSync.RequireEmail, string.Join(", ", settings.ContactSync.LifecycleStages));
        return state.State.InvoiceSettings;
    }

    public async Task<Outcome<AccountView>> ConnectAccountAsync(QuickBooksConnect connect)
    {
        if (!state.State.Installed)
            return Problem.Conflict("Not installed", $"HubSpot account {PortalId} has not installed the app: install it from HubSpot before connecting QuickBooks.");

        var connected = await GrainFactory.QuickBooksConnection(connect.RealmId).ConnectAsync(PortalId, connect);
        if (connected.Problem is { } refused)
            return refused;

        var entry = state.State.Accounts.Find(a => a.RealmId == connect.RealmId);
        if (entry is null)
            state.State.Accounts.Add(entry = new TenantAccount { RealmId = connect.RealmId });
        entry.Connected = true;
        await state.WriteStateAsync();

        var account = GrainFactory.Account(PortalId, connect.RealmId);
        var company = await account.ReadCompanyAsync();
        await account.StartSyncAsync();
        LogConnected(connect.RealmId, PortalId, company.Value?.CompanyName);
        return company.Problem is { } unread ? unread with { Title = "Connected, but the company could not be read" } : await account.GetAsync();
    }

    public async Task<Outcome<AccountView>> DisconnectAccountAsync(string realmId)
    {
        var entry = state.State.Accounts.Find(a => a.RealmId == realmId);
        if (entry is null)
            return Problem.NotFound("No such company", $"QuickBooks company {realmId} was never connected to HubSpot account {PortalId}.");

        var disconnected = await GrainFactory.QuickBooksConnection(realmId).DisconnectAsync(PortalId);
        if (disconnected.Problem is { } problem)
            return problem;
        entry.Connected = false;
        await state.WriteStateAsync();
        LogDisconnected(realmId, PortalId);
        return await GrainFactory.Account(PortalId, realmId).GetAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HubSpot account {PortalId} installed the app (company currency {Currency})")]
    private partial void LogInstalled(long portalId, string? currency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Setting up HubSpot account {PortalId} (account details, deal properties) failed")]
    private partial void LogSetupFailed(Exception exception, long portalId);

    [LoggerMessage(Level = LogLevel.Information, Message = "QuickBooks company {RealmId} ({CompanyName}) connected to HubSpot account {PortalId}")]
    private partial void LogConnected(string realmId, long portalId, string? companyName);

    [LoggerMessage(Level = LogLevel.Information, Message = "HubSpot account {PortalId} set invoice behaviour {Behaviour} (contact sync: email required {RequireEmail}, lifecycle stages [{LifecycleStages}])")]
    private partial void LogInvoiceSettings(long portalId, InvoiceBehaviour behaviour, bool requireEmail, string lifecycleStages);

    [LoggerMessage(Level = LogLevel.Information, Message = "QuickBooks company {RealmId} disconnected from HubSpot account {PortalId}")]
    private partial void LogDisconnected(string realmId, long portalId);
}
