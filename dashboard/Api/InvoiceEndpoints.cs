using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Dashboard.Api;

/// <summary>
/// <c>GET /dashboard/api/invoices?q=&amp;portalId=</c> — invoices whose number, deal id or customer name contains q, across
/// the tenants (or one), from each tenant's invoice index, most recently updated first, 50 at most — and
/// <c>GET /dashboard/api/invoices/{portalId}/{realmId}/{invoiceId}</c>, the invoice with its history, as the operator
/// API gives it.
/// </summary>
internal static class InvoiceEndpoints
{
    private const int MaxResults = 50;

    public static RouteGroupBuilder MapInvoiceEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/invoices", SearchAsync);
        api.MapGet("/invoices/{portalId:long}/{realmId}/{invoiceId}", async (long portalId, string realmId, string invoiceId, IGrainFactory grains) =>
            await grains.Invoice(portalId, realmId, invoiceId).GetAsync() is { } invoice
                ? Results.Ok(invoice)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not followed", detail: $"Invoice {invoiceId} of QuickBooks company {realmId} is linked to no record of HubSpot account {portalId}."));
        return api;
    }

    private static async Task<IResult> SearchAsync(IGrainFactory grains, IOptions<DashboardOptions> options, TimeProvider time, string? q, string? portalId, CancellationToken cancellationToken)
    {
        IReadOnlyList<long> portals;
        if (string.IsNullOrWhiteSpace(portalId))
            portals = await grains.TenantDirectory().ListAsync();
        else if (long.TryParse(portalId, out var one))
            portals = [one];
        else
            return DashboardApi.BadRequest("Bad portal id", $"portalId is a HubSpot account id (a number), not '{portalId}'.");

        var found = await Task.WhenAll(portals.Select(async portal =>
        {
            try
            {
                var entries = await grains.InvoiceIndex(portal).SearchAsync(q, MaxResults).WaitAsync(options.Value.TenantTimeout, time, cancellationToken);
                return entries.Select(e => Row(portal, e));
            }
            catch (TimeoutException)
            {
                return []; // a busy tenant is left out of this search rather than hold it up
            }
        }));
        return Results.Ok(found.SelectMany(f => f)
            .OrderByDescending(i => i.LastUpdated)
            .Take(MaxResults)
            .ToList());
    }

    private static InvoiceRow Row(long portalId, InvoiceIndexEntry entry) => new(
        portalId,
        entry.RealmId,
        entry.InvoiceId,
        entry.DocNumber,
        entry.CustomerName,
        entry.Status,
        InvoiceStatusLabels.Label(entry.Status),
        entry.TotalAmt,
        entry.Balance,
        entry.Currency,
        entry.DueDate,
        entry.LinkedTo.Select(r => r.ToString()).ToList(),
        entry.LastUpdated);
}
