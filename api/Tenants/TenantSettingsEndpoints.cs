using OrleansSync.Api.Hosting;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Api.Tenants;

/// <summary>
/// <c>PUT /api/tenants/{portalId}/settings</c>: how the workflow action treats a contact no QuickBooks customer matches
/// (F14) — <c>invoiceBehaviour</c> legacy (create the customer) or dataSync (only for a contact that meets
/// <c>contactSync</c>, else fail). Omitted contact-sync fields take their defaults: email required, any lifecycle stage.
/// </summary>
public sealed record TenantSettingsRequest(string? InvoiceBehaviour, ContactSyncRequest? ContactSync)
{
    public (InvoiceSettings? Settings, string? Error) ToSettings()
    {
        var behaviour = InvoiceBehaviour?.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() switch
        {
            "legacy" => GrainInterfaces.InvoiceBehaviour.Legacy,
            "datasync" => GrainInterfaces.InvoiceBehaviour.DataSync,
            null => (InvoiceBehaviour?)null,
            _ => null,
        };
        if (behaviour is null)
            return (null, InvoiceBehaviour is null ? "invoiceBehaviour is required: legacy or dataSync." : $"invoiceBehaviour '{InvoiceBehaviour}' is neither legacy nor dataSync.");

        var defaults = ContactSyncSettings.Default;
        var settings = new InvoiceSettings(behaviour.Value, new ContactSyncSettings(ContactSync?.RequireEmail ?? defaults.RequireEmail, ContactSync?.LifecycleStages ?? defaults.LifecycleStages));
        return settings.Invalid() is { } invalid ? (null, invalid) : (settings, null);
    }
}

public sealed record ContactSyncRequest(bool? RequireEmail, IReadOnlyList<string>? LifecycleStages);

/// <summary>The tenant's invoice behaviour and contact-sync settings, to read and to set.</summary>
public static class TenantSettingsEndpoints
{
    public static RouteGroupBuilder MapTenantSettingsEndpoints(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/settings", async (long portalId, IGrainFactory grains) => await grains.Tenant(portalId).GetSettingsAsync() is { Installed: true } settings
            ? TypedResults.Ok(settings.Invoices ?? InvoiceSettings.Default)
            : Problem.NotFound("No such tenant", $"HubSpot account {portalId} has not installed the app.").ToResult());
        tenant.MapPut("/settings", UpdateAsync);
        return tenant;
    }

    private static async Task<IResult> UpdateAsync(long portalId, HttpContext context, IGrainFactory grains)
    {
        var (request, invalid) = await Outcomes.ReadJsonAsync(context.Request, ApiJsonContext.Default.TenantSettingsRequest);
        if (invalid is not null)
            return invalid;
        var (settings, error) = request!.ToSettings();
        if (settings is null)
            return Outcomes.BadRequest("Bad settings", error!);
        return (await grains.Tenant(portalId).UpdateInvoiceSettingsAsync(settings)).ToResult(TypedResults.Ok);
    }
}
