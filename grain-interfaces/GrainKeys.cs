using System.Globalization;
using OrleansSync.Runtime;

namespace OrleansSync.GrainInterfaces;

/// <summary>
/// Every grain's key, in one place. Keys start with the tenant (the HubSpot portal id), which decides the partition
/// and so the silo: all of a tenant's grains live together. The one exception is a QuickBooks company's connection,
/// keyed by its realm id alone, because QuickBooks names a company by realm alone — in webhooks and token refreshes —
/// and a company is connected to one tenant at a time.
/// </summary>
public static class GrainKeys
{
    public const string TenantDirectory = "directory/tenants";

    public static string Tenant(long portalId) => $"{Portal(portalId)}/tenant";

    public static string HubSpotCredentials(long portalId) => $"{Portal(portalId)}/hubspot/credentials";

    public static string QuickBooksConnection(string realmId) => $"qbo-{realmId}/connection";

    public static string Account(long portalId, string realmId) => $"{Portal(portalId)}/qbo/{realmId}";

    public static string Invoice(long portalId, string realmId, string invoiceId) => $"{Portal(portalId)}/qbo/{realmId}/invoice/{invoiceId}";

    public static string Record(long portalId, CrmRecord record) => $"{Portal(portalId)}/{record.ObjectType}/{record.ObjectId}";

    public static string WorkflowAction(long portalId, string callbackId) => $"{Portal(portalId)}/workflow-actions/{callbackId}";

    public static string SyncHealth(long portalId) => $"{Portal(portalId)}/sync-health";

    public static string InvoiceIndex(long portalId) => $"{Portal(portalId)}/invoice-index";

    /// <summary>The portal id at the start of a key.</summary>
    public static long PortalOf(string key) => long.Parse(GrainId.TenantOf(key), CultureInfo.InvariantCulture);

    private static string Portal(long portalId) => portalId.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Typed references by domain name: <c>GrainFactory.Tenant(portalId)</c> rather than keys spelled out.</summary>
public static class GrainFactoryExtensions
{
    public static ITenantGrain Tenant(this IGrainFactory grains, long portalId) => grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(portalId));

    public static ITenantDirectoryGrain TenantDirectory(this IGrainFactory grains) => grains.GetGrain<ITenantDirectoryGrain>(GrainKeys.TenantDirectory);

    public static IHubSpotCredentialsGrain HubSpotCredentials(this IGrainFactory grains, long portalId) => grains.GetGrain<IHubSpotCredentialsGrain>(GrainKeys.HubSpotCredentials(portalId));

    public static IQuickBooksConnectionGrain QuickBooksConnection(this IGrainFactory grains, string realmId) => grains.GetGrain<IQuickBooksConnectionGrain>(GrainKeys.QuickBooksConnection(realmId));

    public static IAccountGrain Account(this IGrainFactory grains, long portalId, string realmId) => grains.GetGrain<IAccountGrain>(GrainKeys.Account(portalId, realmId));

    public static IInvoiceGrain Invoice(this IGrainFactory grains, long portalId, string realmId, string invoiceId) => grains.GetGrain<IInvoiceGrain>(GrainKeys.Invoice(portalId, realmId, invoiceId));

    public static IDealGrain Deal(this IGrainFactory grains, long portalId, string dealId) => grains.GetGrain<IDealGrain>(GrainKeys.Record(portalId, CrmRecord.Deal(dealId)));

    public static IWorkflowActionGrain WorkflowAction(this IGrainFactory grains, long portalId, string callbackId) => grains.GetGrain<IWorkflowActionGrain>(GrainKeys.WorkflowAction(portalId, callbackId));

    public static ISyncHealthGrain SyncHealth(this IGrainFactory grains, long portalId) => grains.GetGrain<ISyncHealthGrain>(GrainKeys.SyncHealth(portalId));

    public static IInvoiceIndexGrain InvoiceIndex(this IGrainFactory grains, long portalId) => grains.GetGrain<IInvoiceIndexGrain>(GrainKeys.InvoiceIndex(portalId));

    /// <summary>The grain of a deal, contact or company, through the interface its class alone implements.</summary>
    public static IInvoiceLinksGrain Record(this IGrainFactory grains, long portalId, CrmRecord record) => record.ObjectType switch
    {
        CrmRecord.Deals => grains.GetGrain<IDealGrain>(GrainKeys.Record(portalId, record)),
        CrmRecord.Contacts => grains.GetGrain<IContactGrain>(GrainKeys.Record(portalId, record)),
        CrmRecord.Companies => grains.GetGrain<ICompanyGrain>(GrainKeys.Record(portalId, record)),
        _ => throw new ArgumentException($"Invoices link to deals, contacts and companies, not {record.ObjectType}.", nameof(record)),
    };
}
