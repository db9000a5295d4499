using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansSync.Api.Hosting;
using OrleansSync.Api.Security;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Api.HubSpot;

/// <summary>
/// The record card (F12): <c>GET /hubspot/crm-card</c> lists a deal's, contact's or company's linked invoices with
/// their status, amounts, due date and a link to QuickBooks, and offers "Create invoice" (deals) and "Add existing
/// invoice". HubSpot signs the card's request and the create hook; the add page, opened unsigned in an iframe, takes a
/// token the card put in its link (<see cref="CardActionLinks"/>). HubSpot waits 5 seconds for a card: grain calls
/// slower than <see cref="CrmCardOptions.AnswerWithin"/> are left out, and the card shows what came in time.
/// </summary>
public static partial class CrmCardEndpoints
{
    public const string CardPath = "/hubspot/crm-card";
    public const string CreateInvoicePath = "/hubspot/card-actions/create-invoice";
    public const string AddInvoicePath = "/hubspot/card-actions/add-invoice";

    public static IEndpointRouteBuilder MapCrmCardEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(CardPath, CardAsync).AddEndpointFilter<HubSpotSignatureFilter>().WithTags("HubSpot");
        endpoints.MapPost(CreateInvoicePath, CreateInvoiceAsync).AddEndpointFilter<HubSpotSignatureFilter>().WithTags("HubSpot");
        endpoints.MapGet(AddInvoicePath, AddInvoicePage.ShowAsync).WithTags("HubSpot");
        endpoints.MapPost(AddInvoicePath, AddInvoicePage.AddAsync).WithTags("HubSpot");
        return endpoints;
    }

    /// <summary>HubSpot's object type on the card request, as the record it names.</summary>
    public static CrmRecord? Record(string? associatedObjectType, string? associatedObjectId)
    {
        if (string.IsNullOrEmpty(associatedObjectId) || !associatedObjectId.All(char.IsAsciiDigit) || associatedObjectId.Length > 20)
            return null;
        return associatedObjectType?.ToUpperInvariant() switch
        {
            "DEAL" => new CrmRecord(CrmRecord.Deals, associatedObjectId),
            "CONTACT" => new CrmRecord(CrmRecord.Contacts, associatedObjectId),
            "COMPANY" => new CrmRecord(CrmRecord.Companies, associatedObjectId),
            _ => null,
        };
    }

    private static async Task<IResult> CardAsync(
        HttpContext context,
        string? associatedObjectId,
        string? associatedObjectType,
        string? portalId,
        IGrainFactory grains,
        CardActionLinks links,
        IOptions<CrmCardOptions> options,
        IOptions<QuickBooksOptions> quickBooks,
        IOptions<ApiOptions> api,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        if (!TryPortal(portalId, out var portal))
            return Outcomes.BadRequest("Bad card request", $"portalId '{portalId}' is not a HubSpot account id.");
        if (Record(associatedObjectType, associatedObjectId) is not { } record)
            return Outcomes.BadRequest("Bad card request", $"The card shows invoices of a DEAL, CONTACT or COMPANY given by a numeric associatedObjectId, not {associatedObjectType ?? "nothing"} '{associatedObjectId}'.");

        var logger = loggers.CreateLogger(typeof(CrmCardEndpoints));
        var deadline = Task.Delay(options.Value.AnswerWithin, time, context.RequestAborted);
        var invoicesCall = grains.Record(portal, record).GetInvoicesAsync();
        var settings = await BeforeAsync(grains.Tenant(portal).GetSettingsAsync(), deadline, logger, "the tenant's settings");
        if (settings is { Installed: false })
            return Problem.NotFound("No such tenant", $"HubSpot account {portal} has not installed the app.").ToResult();

        var companies = settings is null ? null : await CompanyNamesAsync(grains, portal, settings.ConnectedRealmIds, deadline, logger);
        var invoices = await BeforeAsync(invoicesCall, deadline, logger, $"the invoices of {record}");

        var results = (invoices?.Invoices ?? [])
            .Select(l => l.Invoice)
            .OrderByDescending(i => i.Snapshot.LastUpdated)
            .Take(InvoiceCardResults.MaxResults)
            .Select(i => InvoiceCardResults.From(i, quickBooks.Value.AppBaseUrl))
            .ToList();
        var root = PublicUrl.Root(context.Request, api.Value.PublicBaseUrl);
        var creates = record.ObjectType == CrmRecord.Deals ? CreateActions(root, portal, record.ObjectId, companies) : [];
        var addLink = $"{root}{AddInvoicePath}?portalId={portal}&objectType={record.ObjectType}&objectId={record.ObjectId}&token={Uri.EscapeDataString(links.Protect(portal, record))}";
        var card = new CrmCardResponse(
            results,
            creates.FirstOrDefault(),
            [.. creates.Skip(1), CardAction.Iframe("Add existing invoice", addLink)],
            invoices is { Invoices.Count: > InvoiceCardResults.MaxResults } all ? all.Invoices.Count : null);
        return TypedResults.Json(card, HubSpotAppJsonContext.Default.CrmCardResponse);
    }

    /// <summary>
    /// "Create invoice" into the tenant's company; with several, one action per company, named. Unknown companies (the
    /// settings came too late) leave the choice to the create hook, which asks when it must.
    /// </summary>
    private static List<CardAction> CreateActions(string root, long portal, string dealId, IReadOnlyList<(string RealmId, string Name)>? companies)
    {
        var uri = $"{root}{CreateInvoicePath}?portalId={portal}&dealId={dealId}";
        return companies switch
        {
            null => [CardAction.Hook("Create invoice", Keyed(uri))],
            [var only] => [CardAction.Hook("Create invoice", Keyed($"{uri}&realmId={Uri.EscapeDataString(only.RealmId)}"))],
            _ => [.. companies.Select(c => CardAction.Hook($"Create invoice in {c.Name}", Keyed($"{uri}&realmId={Uri.EscapeDataString(c.RealmId)}")))],
        };

        // A key per button of this showing of the card: a second click on it is the same request, and creates nothing new.
        static string Keyed(string action) => $"{action}&requestKey={Guid.NewGuid():N}";
    }

    private static async Task<IReadOnlyList<(string RealmId, string Name)>> CompanyNamesAsync(IGrainFactory grains, long portal, IReadOnlyList<string> realmIds, Task deadline, ILogger logger)
    {
        if (realmIds.Count < 2)
            return [.. realmIds.Select(r => (r, r))];
        var names = await Task.WhenAll(realmIds.Select(async realmId => (realmId, (await BeforeAsync(grains.Account(portal, realmId).GetAsync(), deadline, logger, $"company {realmId}"))?.CompanyName ?? realmId)));
        return names;
    }

    /// <summary>
    /// POST <c>/hubspot/card-actions/create-invoice</c>: "Create invoice" on a deal's card — the deal's line items, its
    /// contact matched to a customer or one created (and, under data-sync, only for a contact that may be). Answers
    /// HubSpot's <c>{"message": …}</c>; a refusal is a problem whose <c>message</c> says why.
    /// </summary>
    private static async Task<IResult> CreateInvoiceAsync(HttpContext context, string? portalId, string? dealId, string? realmId, string? requestKey, IGrainFactory grains, ILoggerFactory loggers)
    {
        if (!TryPortal(portalId, out var portal) || Record("DEAL", dealId) is null)
            return Refused(Problem.BadRequest("Bad action request", $"portalId '{portalId}' and dealId '{dealId}' must be numbers, as the card gave them."));

        var command = new CreateInvoiceCommand(
            string.IsNullOrEmpty(realmId) ? null : realmId,
            InvoiceSourceKind.Scratch,
            QuoteId: null,
            CustomerMode.MatchOrCreate,
            CustomerId: null,
            CustomerDisplayName: null,
            Lines: null,
            TaxCodeId: null,
            TermId: null,
            InvoiceDate: null,
            DueDate: null,
            Message: null,
            IdempotencyKey: string.IsNullOrEmpty(requestKey) ? null : $"card:{requestKey}",
            context.TraceIdentifier);
        var created = await grains.Deal(portal, dealId!).CreateInvoiceAsync(command);
        if (created.Problem is { } problem)
            return Refused(problem);

        var snapshot = created.Value!.Invoice.Snapshot;
        LogCreated(loggers.CreateLogger(typeof(CrmCardEndpoints)), snapshot.DocNumber, snapshot.RealmId, dealId!, portal);
        return TypedResults.Json(
            new CardActionMessage($"Created invoice {snapshot.DocNumber ?? snapshot.InvoiceId} for {snapshot.CustomerName} ({snapshot.TotalAmt.ToString("0.00", CultureInfo.InvariantCulture)} {snapshot.Currency}) in QuickBooks, as a draft not sent to the customer."),
            HubSpotAppJsonContext.Default.CardActionMessage);
    }

    /// <summary>A refusal as problem details, with the <c>message</c> HubSpot shows to the user of an action hook.</summary>
    private static IResult Refused(Problem problem) => Results.Problem(
        statusCode: problem.StatusCode(),
        title: problem.Title,
        detail: problem.Detail,
        extensions: new Dictionary<string, object?> { ["message"] = problem.Detail });

    /// <summary>The call's result if it came before the deadline; otherwise nothing, and the call is left to finish on its own.</summary>
    internal static async Task<T?> BeforeAsync<T>(Task<T> call, Task deadline, ILogger logger, string what)
        where T : class
    {
        await Task.WhenAny(call, deadline);
        if (call.IsCompletedSuccessfully)
            return call.Result;
        if (call.IsFaulted)
            LogLeftOut(logger, what, call.Exception.InnerException?.Message ?? call.Exception.Message);
        else
            LogLeftOut(logger, what, "too slow");
        _ = call.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return null;
    }

    internal static bool TryPortal(string? text, out long portalId)
        => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out portalId) && portalId > 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The record card was answered without {What}: {Reason}")]
    private static partial void LogLeftOut(ILogger logger, string what, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created invoice {DocNumber} in QuickBooks company {RealmId} from the card of deal {DealId} (HubSpot account {PortalId})")]
    private static partial void LogCreated(ILogger logger, string? docNumber, string realmId, string dealId, long portalId);
}
