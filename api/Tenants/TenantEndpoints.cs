using Microsoft.Extensions.Options;
using OrleansSync.Api.Hosting;
using OrleansSync.Api.OAuth;
using OrleansSync.Api.Security;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Api.Tenants;

/// <summary>
/// Tenants, their QuickBooks companies, and the invoices on their records — each handler a call to a grain. An admin
/// key sees every tenant; a tenant key only its own (<see cref="TenantAccessFilter"/>).
/// </summary>
public static class TenantEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static RouteGroupBuilder MapTenantEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/tenants", ListTenantsAsync).WithTags("Tenants");

        var tenant = api.MapGroup("/tenants/{portalId:long}").WithTags("Tenants").AddEndpointFilter<TenantAccessFilter>();
        tenant.MapGet("", async (long portalId, IGrainFactory grains) => await ViewAsync(grains, portalId));
        tenant.MapTenantSettingsEndpoints();
        tenant.MapGet("/accounts", async (long portalId, IGrainFactory grains)
            => await grains.Tenant(portalId).GetAsync() is { Installed: true } view ? TypedResults.Ok(view.Accounts) : NotInstalled(portalId));
        tenant.MapPost("/accounts/quickbooks/connect", (long portalId, HttpContext context, QuickBooksOAuthClient quickBooks, OAuthState state, IOptions<ApiOptions> options)
            => TypedResults.Ok(OAuthEndpoints.StartQuickBooksConnect(context, quickBooks, state, options.Value, portalId)));
        tenant.MapDelete("/accounts/{realmId}", async (long portalId, string realmId, IGrainFactory grains)
            => (await grains.Tenant(portalId).DisconnectAccountAsync(realmId)).ToResult(TypedResults.Ok));

        tenant.MapPost("/accounts/{realmId}/resync", async (long portalId, string realmId, HttpContext context, IGrainFactory grains)
            => (await grains.Account(portalId, realmId).ResyncAsync(Cause(context, $"resync of QuickBooks company {realmId}"))).ToResult(TypedResults.Ok));

        var invoices = tenant.MapGroup("/accounts/{realmId}/invoices").WithTags("Invoices");
        invoices.MapGet("", SearchInvoicesAsync);
        invoices.MapGet("/{invoiceId}", async (long portalId, string realmId, string invoiceId, IGrainFactory grains)
            => await grains.Invoice(portalId, realmId, invoiceId).GetAsync() is { } invoice
                ? TypedResults.Ok(invoice)
                : Problem.NotFound("Not followed", $"Invoice {invoiceId} of QuickBooks company {realmId} is linked to no record of HubSpot account {portalId}.").ToResult());
        invoices.MapPost("/{invoiceId}/sync", async (long portalId, string realmId, string invoiceId, HttpContext context, IGrainFactory grains)
            => (await grains.Invoice(portalId, realmId, invoiceId).SyncAsync(ChangeCause.Operator($"resync asked by {context.User.Identity?.Name} (request {context.TraceIdentifier})"))).ToResult(TypedResults.Ok));

        var deals = tenant.MapGroup("/deals/{dealId}").WithTags("Deals");
        deals.MapPost("/invoices", CreateInvoiceAsync);
        deals.MapGet("", async (long portalId, string dealId, IGrainFactory grains) => TypedResults.Ok(await grains.Deal(portalId, dealId).GetDealAsync()));

        var records = tenant.MapGroup("/{objectType}/{objectId}/invoices").WithTags("Linked invoices");
        records.MapGet("", async (long portalId, string objectType, string objectId, IGrainFactory grains)
            => Linkable(objectType) ?? TypedResults.Ok(await grains.Record(portalId, new CrmRecord(objectType, objectId)).GetInvoicesAsync()));
        records.MapPost("/links", LinkAsync);
        records.MapDelete("/links/{realmId}/{invoiceId}", async (long portalId, string objectType, string objectId, string realmId, string invoiceId, HttpContext context, IGrainFactory grains)
            => Linkable(objectType) ?? (await grains.Record(portalId, new CrmRecord(objectType, objectId)).UnlinkInvoiceAsync(realmId, invoiceId, Cause(context, $"unlink from {objectType}/{objectId}"))).ToResult(TypedResults.Ok));
        return api;
    }

    private static async Task<IResult> ListTenantsAsync(HttpContext context, IGrainFactory grains)
    {
        var visible = (await grains.TenantDirectory().ListAsync()).Where(portalId => TenantAccessFilter.MaySee(context.User, portalId));
        return TypedResults.Ok(await Task.WhenAll(visible.Select(portalId => grains.Tenant(portalId).GetAsync())));
    }

    private static async Task<IResult> ViewAsync(IGrainFactory grains, long portalId)
    {
        var view = await grains.Tenant(portalId).GetAsync();
        return view.Installed ? TypedResults.Ok(view) : NotInstalled(portalId);
    }

    private static IResult NotInstalled(long portalId)
        => Problem.NotFound("No such tenant", $"HubSpot account {portalId} has not installed the app.").ToResult();

    private static async Task<IResult> SearchInvoicesAsync(long portalId, string realmId, string? number, string? customer, string? from, string? to, int? maxResults, IGrainFactory grains)
    {
        if (!TryDate(from, out var fromDate) || !TryDate(to, out var toDate))
            return Outcomes.BadRequest("Bad date", "from and to are dates (yyyy-MM-dd).");
        var search = new InvoiceSearch(number, customer, fromDate, toDate, maxResults ?? 50);
        return (await grains.Account(portalId, realmId).SearchInvoicesAsync(search)).ToResult(TypedResults.Ok);
    }

    private static async Task<IResult> CreateInvoiceAsync(long portalId, string dealId, HttpContext context, IGrainFactory grains)
    {
        var (request, invalid) = await Outcomes.ReadJsonAsync(context.Request, ApiJsonContext.Default.CreateInvoiceRequest);
        if (invalid is not null)
            return invalid;

        var idempotencyKey = context.Request.Headers[IdempotencyKeyHeader].ToString() is { Length: > 0 } key ? key : null;
        if (idempotencyKey is { Length: > 255 })
            return Outcomes.BadRequest("Bad Idempotency-Key", "An Idempotency-Key is at most 255 characters.");
        var (command, error) = request!.ToCommand(idempotencyKey, context.TraceIdentifier);
        if (command is null)
            return Outcomes.BadRequest("Bad invoice request", error!);

        var created = await grains.Deal(portalId, dealId).CreateInvoiceAsync(command);
        return created.ToResult(invoice =>
        {
            if (invoice.Replayed)
                context.Response.Headers[ReplayedHeader] = "true";
            var snapshot = invoice.Invoice.Snapshot;
            return TypedResults.Created($"/api/tenants/{portalId}/accounts/{snapshot.RealmId}/invoices/{snapshot.InvoiceId}", invoice);
        });
    }

    private static async Task<IResult> LinkAsync(long portalId, string objectType, string objectId, HttpContext context, IGrainFactory grains)
    {
        if (Linkable(objectType) is { } notLinkable)
            return notLinkable;
        var (request, invalid) = await Outcomes.ReadJsonAsync(context.Request, ApiJsonContext.Default.LinkInvoiceRequest);
        if (invalid is not null)
            return invalid;
        if (string.IsNullOrWhiteSpace(request!.RealmId) || string.IsNullOrWhiteSpace(request.InvoiceId))
            return Outcomes.BadRequest("Bad link request", "realmId and invoiceId are required.");
        var linked = await grains.Record(portalId, new CrmRecord(objectType, objectId)).LinkInvoiceAsync(request.RealmId, request.InvoiceId, Cause(context, $"add invoice {request.InvoiceId} to {objectType}/{objectId}"));
        return linked.ToResult(TypedResults.Ok);
    }

    private static IResult? Linkable(string objectType)
        => CrmRecord.IsLinkable(objectType)
            ? null
            : Problem.NotFound("Not a linkable record", $"Invoices link to deals, contacts and companies, not to '{objectType}'.").ToResult();

    private static ChangeCause Cause(HttpContext context, string what) => ChangeCause.Request(context.TraceIdentifier, $"{what} by {context.User.Identity?.Name}");

    private static bool TryDate(string? value, out DateOnly? date)
    {
        date = null;
        if (value is null)
            return true;
        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var parsed))
            return false;
        date = parsed;
        return true;
    }
}
