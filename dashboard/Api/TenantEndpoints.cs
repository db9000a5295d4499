using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansSync.Api.Hosting;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Inbox;
using static OrleansSync.Dashboard.Api.TenantsView;

namespace OrleansSync.Dashboard.Api;

/// <summary>
/// <c>GET /dashboard/api/tenants</c>, and <c>POST /dashboard/api/tenants/{portalId}/retry</c> with
/// <c>{kind, target}</c> — the retry button of a sync-health failure (F22):
/// <list type="bullet">
/// <item><c>resync</c> (a realm id): the company's resync, now;</item>
/// <item><c>deal-properties</c> (a deal id): the deal writes its invoice properties again;</item>
/// <item><c>dead-letter</c> (an inbox id of the tenant): the event goes back in line;</item>
/// <item><c>reconnect</c> (<c>hubspot</c> or a realm id): nothing can be done from here — a person must connect
/// again; the answer says where.</item>
/// </list>
/// </summary>
internal static class TenantEndpoints
{
    public static RouteGroupBuilder MapTenantEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/tenants", async (TenantsView tenants, CancellationToken cancellationToken) => Results.Ok(await tenants.ListAsync(cancellationToken)));
        api.MapPost("/tenants/{portalId:long}/retry", RetryAsync);
        return api;
    }

    private static async Task<IResult> RetryAsync(long portalId, HttpContext context, IGrainFactory grains, IInboxMonitor inbox, CancellationToken cancellationToken)
    {
        var (retry, invalid) = await Outcomes.ReadJsonAsync(context.Request, DashboardJsonContext.Default.RetryAction);
        if (invalid is not null)
            return invalid;
        if (string.IsNullOrWhiteSpace(retry!.Kind) || string.IsNullOrWhiteSpace(retry.Target))
            return DashboardApi.BadRequest("Bad retry", "kind and target are required.");

        var who = context.User.Identity?.Name ?? "an operator";
        var cause = ChangeCause.Operator($"retry from the dashboard by {who} (request {context.TraceIdentifier})");
        switch (retry.Kind)
        {
            case RetryKinds.Resync:
                var resync = await grains.Account(portalId, retry.Target).ResyncAsync(cause);
                return resync.ToResult(report => Results.Ok(new RetryDone(
                    true,
                    $"Resynced QuickBooks company {retry.Target} by {report.Method} in {report.Duration.TotalSeconds:0.0} s: {report.Examined} examined, {report.Repaired} repaired.")));

            case RetryKinds.DealProperties:
                var deal = await grains.Deal(portalId, retry.Target).RetryPropertiesAsync();
                return Results.Ok(new RetryDone(true, deal.State switch
                {
                    DealSyncState.InSync => $"Deal {retry.Target}'s invoice properties are written.",
                    DealSyncState.Excluded => $"Deal {retry.Target} is excluded: {deal.Detail}",
                    DealSyncState.Failing => $"Writing deal {retry.Target}'s invoice properties failed again: {deal.Detail}",
                    _ => $"Deal {retry.Target} has no linked invoice: nothing to write.",
                }));

            case RetryKinds.DeadLetter:
                if (!InboxEventId.TryParse(retry.Target, out var id))
                    return DashboardApi.BadRequest("Bad event id", $"'{retry.Target}' is not an inbox event id; ids look like '17.4052' (partition.sequence).");
                var tenantDead = await inbox.ListDeadLettersAsync(portalId.ToString(System.Globalization.CultureInfo.InvariantCulture), 0, 500, cancellationToken);
                if (!tenantDead.Any(d => d.Id == id) || !await inbox.ReplayAsync(id, cancellationToken))
                    return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dead letter", detail: $"Inbox event {retry.Target} is not a dead letter of HubSpot account {portalId} (it may have been replayed already).");
                return Results.Ok(new RetryDone(true, $"Inbox event {retry.Target} is back in line; it is delivered again shortly."));

            case RetryKinds.Reconnect:
                var pathBase = context.Request.PathBase;
                return Results.Ok(new RetryDone(false, retry.Target == "hubspot"
                    ? $"HubSpot refuses account {portalId}'s tokens: someone with access to the account must install the app again from {pathBase}/oauth/hubspot/install."
                    : $"QuickBooks company {retry.Target} must be connected again by someone who can sign in to it: POST {pathBase}/api/tenants/{portalId}/accounts/quickbooks/connect answers the link to send them to."));

            default:
                return DashboardApi.BadRequest("Unknown retry", $"kind is {RetryKinds.Resync}, {RetryKinds.DealProperties}, {RetryKinds.DeadLetter} or {RetryKinds.Reconnect}, not '{retry.Kind}'.");
        }
    }
}
