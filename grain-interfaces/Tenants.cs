using System.Text.Json.Serialization;
using OrleansSync.Runtime;

namespace OrleansSync.GrainInterfaces;

/// <summary>The tokens HubSpot gave when an account installed the app (F1b).</summary>
public sealed record HubSpotInstall(long PortalId, string AccessToken, string RefreshToken, DateTimeOffset AccessTokenExpiresAt);

/// <summary>The tokens QuickBooks gave when a company was connected (F1).</summary>
public sealed record QuickBooksConnect(string RealmId, string AccessToken, string RefreshToken, DateTimeOffset AccessTokenExpiresAt, DateTimeOffset RefreshTokenExpiresAt);

public enum ConnectionState
{
    /// <summary>Tokens in hand, refreshed before they expire.</summary>
    Connected,

    /// <summary>The service refused our tokens (revoked, expired refresh token): a person must connect again.</summary>
    Broken,

    /// <summary>Disconnected on purpose; the tokens were revoked.</summary>
    Disconnected,
}

/// <summary>A connection as people see it — never its tokens.</summary>
public sealed record ConnectionView(ConnectionState State, string? Reason, DateTimeOffset? Since, DateTimeOffset? AccessTokenExpiresAt);

/// <summary>
/// An access token for one call, or why there is none: the connection is broken (a person must act), or the token
/// endpoint could not be reached just now (<paramref name="Retryable"/>).
/// </summary>
public sealed record AccessGrant(string? AccessToken, DateTimeOffset ExpiresAt, string? Problem, bool Retryable = false);

/// <summary>A HubSpot account using the integration.</summary>
public sealed record TenantView(
    long PortalId,
    bool Installed,
    DateTimeOffset? InstalledAt,
    string? CompanyCurrency,
    string? TimeZone,
    ConnectionView? HubSpot,
    bool PropertiesReady,
    string? PropertiesProblem,
    IReadOnlyList<AccountView> Accounts);

/// <summary>A tenant's settings, and the QuickBooks companies it has connected (and not disconnected).</summary>
public sealed record TenantSettings(
    long PortalId,
    bool Installed,
    string? CompanyCurrency,
    string? TimeZone,
    IReadOnlyList<string> ConnectedRealmIds,
    InvoiceSettings? Invoices = null)
{
    /// <summary>
    /// What a contact must meet before a QuickBooks customer is created for it unasked (<see cref="CustomerMode.MatchOrCreate"/>):
    /// the contact-sync settings under data-sync; nothing under legacy.
    /// </summary>
    [JsonIgnore]
    public ContactSyncSettings? RulesForNewCustomers => Invoices is { InvoiceBehaviour: InvoiceBehaviour.DataSync } settings ? settings.ContactSync : null;
}

/// <summary>How the workflow action "Create QuickBooks invoice" treats a contact that no QuickBooks customer matches (F14).</summary>
public enum InvoiceBehaviour
{
    /// <summary>HubSpot's legacy QuickBooks app: create the customer.</summary>
    Legacy,

    /// <summary>HubSpot's data-sync app: only for a contact that meets the contact-sync settings; otherwise fail, never create silently.</summary>
    DataSync,
}

/// <summary>Which contacts may become QuickBooks customers under data-sync.</summary>
/// <param name="RequireEmail">The contact must have an email.</param>
/// <param name="LifecycleStages">Its lifecycle stage must be one of these (internal values, e.g. <c>customer</c>); empty means any.</param>
public sealed record ContactSyncSettings(bool RequireEmail, IReadOnlyList<string> LifecycleStages)
{
    public const int MaxLifecycleStages = 20;

    public static ContactSyncSettings Default { get; } = new(RequireEmail: true, LifecycleStages: []);

    /// <summary>The rules this contact does not meet, in words a person understands; empty when it meets them all.</summary>
    public IReadOnlyList<string> Unmet(string? email, string? lifecycleStage)
    {
        var unmet = new List<string>();
        if (RequireEmail && string.IsNullOrWhiteSpace(email))
            unmet.Add("it has no email");
        if (LifecycleStages.Count > 0 && !LifecycleStages.Contains(lifecycleStage ?? "", StringComparer.OrdinalIgnoreCase))
        {
            unmet.Add(string.IsNullOrEmpty(lifecycleStage)
                ? $"it has no lifecycle stage, and one of [{string.Join(", ", LifecycleStages)}] is required"
                : $"its lifecycle stage '{lifecycleStage}' is not one of [{string.Join(", ", LifecycleStages)}]");
        }

        return unmet;
    }
}

/// <summary>A tenant's invoice behaviour and, for data-sync, its contact-sync settings.</summary>
public sealed record InvoiceSettings(InvoiceBehaviour InvoiceBehaviour, ContactSyncSettings ContactSync)
{
    public static InvoiceSettings Default { get; } = new(InvoiceBehaviour.Legacy, ContactSyncSettings.Default);

    /// <summary>What is wrong with the settings, or null when they can be kept.</summary>
    public string? Invalid()
    {
        if (!Enum.IsDefined(InvoiceBehaviour))
            return $"invoiceBehaviour {(int)InvoiceBehaviour} is neither legacy nor dataSync.";
        var stages = ContactSync.LifecycleStages;
        if (stages.Count > ContactSyncSettings.MaxLifecycleStages)
            return $"contactSync.lifecycleStages lists {stages.Count} stages; at most {ContactSyncSettings.MaxLifecycleStages}.";
        if (stages.Any(s => string.IsNullOrWhiteSpace(s) || s.Length > 100 || s != s.Trim()))
            return "contactSync.lifecycleStages holds an empty stage, one with spaces around it, or one longer than 100 characters.";
        var repeated = stages.GroupBy(s => s, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        return repeated is null ? null : $"contactSync.lifecycleStages lists '{repeated.Key}' twice.";
    }
}

/// <summary>A QuickBooks company connected to a tenant, as last read from QuickBooks.</summary>
public sealed record AccountView(
    string RealmId,
    string? CompanyName,
    string? Country,
    string? HomeCurrency,
    bool? MultiCurrency,
    bool? CustomTxnNumbers,
    DateTimeOffset? ConnectedAt,
    DateTimeOffset? CheckedAt,
    ConnectionView Connection,
    AccountSyncView? Sync = null)
{
    /// <summary>QuickBooks computes US sales tax itself; elsewhere every line carries a tax code (F5).</summary>
    [JsonIgnore]
    public bool IsUnitedStates => string.Equals(Country, "US", StringComparison.OrdinalIgnoreCase);
}

/// <summary>One HubSpot account: its install, settings and connected QuickBooks companies.</summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Keeps the tokens, reads the account's currency and time zone, and creates our deal properties.</summary>
    Task<Outcome<TenantView>> InstallAsync(HubSpotInstall install);

    Task<TenantView> GetAsync();

    /// <summary>What work for the tenant needs, cheaply: whether it installed, its currency and time zone, its companies.</summary>
    Task<TenantSettings> GetSettingsAsync();

    /// <summary>Sets the invoice behaviour and contact-sync settings (F14); refused when they are not valid.</summary>
    Task<Outcome<InvoiceSettings>> UpdateInvoiceSettingsAsync(InvoiceSettings settings);

    /// <summary>Connects a QuickBooks company (or reconnects it with new tokens).</summary>
    Task<Outcome<AccountView>> ConnectAccountAsync(QuickBooksConnect connect);

    /// <summary>Revokes the company's tokens and stops work for it; its links stay, for the record.</summary>
    Task<Outcome<AccountView>> DisconnectAccountAsync(string realmId);
}

/// <summary>Every tenant that ever installed, for operators to list (E6).</summary>
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    Task AddAsync(long portalId);

    Task<IReadOnlyList<long>> ListAsync();
}

/// <summary>A HubSpot account's tokens, encrypted at rest and refreshed before they expire.</summary>
/// <remarks>
/// A grain of its own rather than part of the tenant grain: turns do not interleave, so a tenant grain calling HubSpot
/// while HubSpot's client asked the same tenant grain for a token would wait for itself.
/// </remarks>
public interface IHubSpotCredentialsGrain : IGrainWithStringKey
{
    Task StoreAsync(HubSpotInstall install);

    Task<AccessGrant> GetAccessTokenAsync();

    /// <summary>HubSpot refused <paramref name="rejectedAccessToken"/>: refresh, unless another caller already did.</summary>
    Task<AccessGrant> RefreshAsync(string rejectedAccessToken);

    Task<ConnectionView> GetStatusAsync();
}

/// <summary>A QuickBooks company's connection: which tenant holds it, and its tokens, encrypted at rest.</summary>
public interface IQuickBooksConnectionGrain : IGrainWithStringKey
{
    /// <summary>Takes the tokens for <paramref name="portalId"/>; refused while another tenant holds the company.</summary>
    Task<Outcome<ConnectionView>> ConnectAsync(long portalId, QuickBooksConnect connect);

    /// <summary>Revokes the tokens at Intuit and forgets them.</summary>
    Task<Outcome<ConnectionView>> DisconnectAsync(long portalId);

    /// <summary>The tenant the company is connected to, if any.</summary>
    Task<long?> GetOwnerAsync();

    Task<AccessGrant> GetAccessTokenAsync();

    Task<AccessGrant> RefreshAsync(string rejectedAccessToken);

    Task<ConnectionView> GetStatusAsync();
}

/// <summary>What an invoice is made under: the company's country, currency and numbering.</summary>
public sealed record CompanyFacts(string RealmId, string? CompanyName, string? Country, string HomeCurrency, bool MultiCurrency, bool CustomTxnNumbers)
{
    [JsonIgnore]
    public bool IsUnitedStates => string.Equals(Country, "US", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A search among a company's invoices (F11); every part optional.</summary>
public sealed record InvoiceSearch(string? DocNumber, string? CustomerName, DateOnly? From, DateOnly? To, int MaxResults = 50);

/// <summary>A QuickBooks company as a tenant sees it: its facts, and the invoices one may add to records.</summary>
public interface IAccountGrain : IGrainWithStringKey
{
    Task<AccountView> GetAsync();

    /// <summary>Reads company info and preferences from QuickBooks now (a setting may have changed since).</summary>
    Task<Outcome<CompanyFacts>> ReadCompanyAsync();

    Task<Outcome<IReadOnlyList<InvoiceSnapshot>>> SearchInvoicesAsync(InvoiceSearch search);

    /// <summary>Arms the periodic resync (F20); its first run backfills the company's invoices.</summary>
    Task StartSyncAsync();

    /// <summary>An invoice of the company is now linked to a record: its changes are to be followed.</summary>
    Task FollowInvoiceAsync(string invoiceId, string? customerId);

    /// <summary>
    /// Changes QuickBooks announced (webhooks, through the inbox): reads what changed — in one query per entity, or by
    /// change data capture when there are many — and hands it to the invoices followed.
    /// </summary>
    Task<Outcome<ChangesApplied>> ApplyChangesAsync(IReadOnlyList<QuickBooksEntityChange> changes, ChangeCause cause);

    /// <summary>Runs a resync now: change data capture since the cursor, repairing what the webhooks missed.</summary>
    Task<Outcome<ResyncReport>> ResyncAsync(ChangeCause cause);
}
