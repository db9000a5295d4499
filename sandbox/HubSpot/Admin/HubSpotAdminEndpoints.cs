using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>What a person does in HubSpot's UI: edit or create a record (properties and associations).</summary>
public sealed record AdminRecordInput(Dictionary<string, JsonElement>? Properties, List<AdminAssociationInput>? Associations);

/// <summary>An association by the pair's default type, or by a HubSpot-defined type id.</summary>
public sealed record AdminAssociationInput(string? ToObjectType, JsonElement? ToObjectId, int? AssociationTypeId);

public sealed record AdminPortal(HubSpotAccount Account, IReadOnlyDictionary<string, int> Records);

/// <summary>A record with all its values and associations, for people and tests.</summary>
public sealed record AdminRecord(SimplePublicObject Record, bool? Expired);

/// <summary>
/// The admin endpoints (<c>/sandbox/hubspot/admin/…</c>): acting as people do in HubSpot — editing deals and contacts,
/// associating records, publishing and expiring quotes, merging — so that the changes arrive as webhooks with
/// changeSource CRM_UI; plus tokens without the OAuth dance, the fault settings, and the workflow action callbacks
/// apps completed (what a person sees in a workflow's history). No OAuth, no limits, no faults;
/// errors are problem details. The portal is the <c>portalId</c> query parameter, the demo portal by default.
/// </summary>
public static class HubSpotAdminEndpoints
{
    public static RouteGroupBuilder MapHubSpotAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/portals", Portals);
        admin.MapPost("/portals/{portalId:long}/tokens", (long portalId, HubSpotOAuth oauth)
            => TypedResults.Json(oauth.IssueFor(portalId), HubSpotJson.Context.OAuthTokenResponse));
        admin.MapGet("/objects/{objectType}/{objectId}", Read);
        admin.MapPost("/objects/{objectType}", Create);
        admin.MapPatch("/objects/{objectType}/{objectId}", Update);
        admin.MapDelete("/objects/{objectType}/{objectId}", Delete);
        admin.MapPut("/associations/{fromType}/{fromId}/{toType}/{toId}", Associate);
        admin.MapDelete("/associations/{fromType}/{fromId}/{toType}/{toId}", Disassociate);
        admin.MapPost("/objects/{objectType}/{primaryId}/merge/{mergedId}", Merge);
        admin.MapPost("/quotes/{quoteId}/publish", PublishQuote);
        admin.MapPost("/quotes/{quoteId}/expire", ExpireQuote);
        admin.MapGet("/timeline/{objectType}/{objectId}", Timeline);
        admin.MapGet("/workflow-callbacks", WorkflowCallbacks);
        admin.MapGet("/faults", ([FromKeyedServices(HubSpotSandboxRegistration.ServiceKey)] FaultInjector faults) => faults.Current);
        admin.MapPut("/faults", SetFaults);
        return admin;
    }

    private static IResult Portals(HubSpotPortals portals)
        => TypedResults.Json(
            portals.All.Select(p => p.Locked(() => new AdminPortal(p.Account, CrmObjectTypes.All.ToDictionary(t => t.Name, t => p.Objects.Count(t))))).ToList(),
            HubSpotJson.Context.ListAdminPortal);

    private static IResult Read(string objectType, string objectId, HttpRequest request, HubSpotPortals portals, SandboxClock clock)
    {
        var (portal, type, error) = Resolve(request, portals, objectType);
        if (error is not null)
            return error;
        lock (portal!.Sync)
        {
            if (portal.Objects.Find(type!, objectId) is not { } record)
                return NotFound(type!, objectId);
            var view = CrmObjectViews.View(portal, record, new ObjectViewRequest(Properties: [], AlsoInclude: record.PropertiesWithValues.ToList(), Associations: CrmObjectTypes.All));
            var expired = type == CrmObjectTypes.Quotes ? QuotePublishing.IsExpired(portal, record, clock.GetUtcNow()) : (bool?)null;
            return TypedResults.Json(new AdminRecord(view, expired), HubSpotJson.Context.AdminRecord);
        }
    }

    private static async Task<IResult> Create(string objectType, HttpRequest request, HubSpotPortals portals, HubSpotCrm crm)
    {
        var (portal, type, error) = Resolve(request, portals, objectType);
        if (error is not null)
            return error;
        var (input, bodyError) = await HubSpotRequestBody.ReadAsync(request, HubSpotJson.Context.AdminRecordInput);
        if (bodyError is not null)
            return bodyError.ToProblem();
        var (properties, propertiesError) = HubSpotRequestBody.Properties(input!.Properties);
        if (propertiesError is not null)
            return propertiesError.ToProblem();
        var (associations, associationError) = Associations(type!, input.Associations);
        if (associationError is not null)
            return associationError;

        lock (portal!.Sync)
        {
            var (record, createError) = crm.Create(portal, type!, new HubSpotCrm.CreateInput(properties!, associations!), HubSpotCrm.Actor.Person);
            if (createError is not null)
                return createError.ToProblem();
            var view = CrmObjectViews.View(portal, record!, new ObjectViewRequest(AlsoInclude: properties!.Keys, Associations: CrmObjectTypes.All));
            return TypedResults.Json(view, HubSpotJson.Context.SimplePublicObject, statusCode: StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> Update(string objectType, string objectId, HttpRequest request, HubSpotPortals portals, HubSpotCrm crm)
    {
        var (portal, type, error) = Resolve(request, portals, objectType);
        if (error is not null)
            return error;
        var (input, bodyError) = await HubSpotRequestBody.ReadAsync(request, HubSpotJson.Context.AdminRecordInput);
        if (bodyError is not null)
            return bodyError.ToProblem();
        var (properties, propertiesError) = HubSpotRequestBody.Properties(input!.Properties);
        if (propertiesError is not null)
            return propertiesError.ToProblem();

        lock (portal!.Sync)
        {
            if (portal.Objects.Find(type!, objectId) is not { } record)
                return NotFound(type!, objectId);
            if (crm.Update(portal, record, properties!, HubSpotCrm.Actor.Person) is { } updateError)
                return updateError.ToProblem();
            return TypedResults.Json(CrmObjectViews.View(portal, record, new ObjectViewRequest(AlsoInclude: properties!.Keys)), HubSpotJson.Context.SimplePublicObject);
        }
    }

    private static IResult Delete(string objectType, string objectId, HttpRequest request, HubSpotPortals portals, HubSpotCrm crm)
    {
        var (portal, type, error) = Resolve(request, portals, objectType);
        if (error is not null)
            return error;
        lock (portal!.Sync)
        {
            if (portal.Objects.Find(type!, objectId) is not { } record)
                return NotFound(type!, objectId);
            crm.Archive(portal, record, HubSpotCrm.Actor.Person);
        }

        return Results.NoContent();
    }

    /// <summary>Associates by the pair's default type, or by <c>?associationTypeId=</c> (e.g. 5, a deal's primary company).</summary>
    private static IResult Associate(string fromType, string fromId, string toType, string toId, HttpRequest request, HubSpotPortals portals, HubSpotCrm crm)
    {
        var (portal, from, to, error) = ResolvePair(request, portals, fromType, toType);
        if (error is not null)
            return error;
        var typeIdText = request.Query["associationTypeId"].ToString();
        var type = typeIdText.Length == 0
            ? AssociationTypes.Default(from!, to!)
            : int.TryParse(typeIdText, NumberStyles.None, CultureInfo.InvariantCulture, out var typeId) ? AssociationTypes.Find(from!, to!, typeId) : null;
        if (type is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No such association", detail: $"There is no association type {typeIdText} from {from!.Name} to {to!.Name}.");

        lock (portal!.Sync)
        {
            var fromRecord = portal.Objects.Find(from!, fromId);
            var toRecord = portal.Objects.Find(to!, toId);
            if (fromRecord is null || toRecord is null)
                return fromRecord is null ? NotFound(from!, fromId) : NotFound(to!, toId);
            crm.Associate(portal, type, fromRecord.Id, toRecord.Id, HubSpotCrm.Actor.Person);
        }

        return Results.NoContent();
    }

    private static IResult Disassociate(string fromType, string fromId, string toType, string toId, HttpRequest request, HubSpotPortals portals, HubSpotCrm crm)
    {
        var (portal, from, to, error) = ResolvePair(request, portals, fromType, toType);
        if (error is not null)
            return error;
        lock (portal!.Sync)
        {
            var fromRecord = portal.Objects.Find(from!, fromId);
            var toRecord = portal.Objects.Find(to!, toId);
            if (fromRecord is null || toRecord is null)
                return fromRecord is null ? NotFound(from!, fromId) : NotFound(to!, toId);
            crm.Disassociate(portal, from!, fromRecord.Id, to!, toRecord.Id, HubSpotCrm.Actor.Person);
        }

        return Results.NoContent();
    }

    private static IResult Merge(string objectType, string primaryId, string mergedId, HttpRequest request, HubSpotPortals portals, HubSpotCrm crm)
    {
        var (portal, type, error) = Resolve(request, portals, objectType);
        if (error is not null)
            return error;
        if (type != CrmObjectTypes.Contacts && type != CrmObjectTypes.Companies && type != CrmObjectTypes.Deals)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Cannot merge", detail: "Only contacts, companies and deals can be merged.");
        lock (portal!.Sync)
        {
            var primary = portal.Objects.Find(type!, primaryId);
            var merged = portal.Objects.Find(type!, mergedId);
            if (primary is null || merged is null || primary == merged)
                return primary is null ? NotFound(type!, primaryId) : merged is null ? NotFound(type!, mergedId) : TypedResults.Problem(statusCode: 400, detail: "A record cannot be merged with itself.");
            crm.Merge(portal, primary, merged, HubSpotCrm.Actor.Person);
            return TypedResults.Json(CrmObjectViews.View(portal, primary, ObjectViewRequest.Defaults), HubSpotJson.Context.SimplePublicObject);
        }
    }

    /// <summary>Publishing as the quote's owner would: status APPROVAL_NOT_NEEDED, which fills in its link and amount.</summary>
    private static IResult PublishQuote(string quoteId, HttpRequest request, HubSpotPortals portals, HubSpotCrm crm)
        => ChangeQuote(quoteId, request, portals, crm, (_, _) => new Dictionary<string, string> { ["hs_status"] = "APPROVAL_NOT_NEEDED" });

    /// <summary>Expiring: the expiration date becomes yesterday (in the account's time zone, on the sandbox clock).</summary>
    private static IResult ExpireQuote(string quoteId, HttpRequest request, HubSpotPortals portals, HubSpotCrm crm, SandboxClock clock)
        => ChangeQuote(quoteId, request, portals, crm, (portal, _) => new Dictionary<string, string>
        {
            ["hs_expiration_date"] = HubSpotTime.FormatDate(portal.Account.LocalDate(clock.GetUtcNow()).AddDays(-1)),
        });

    private static IResult ChangeQuote(string quoteId, HttpRequest request, HubSpotPortals portals, HubSpotCrm crm, Func<HubSpotPortal, CrmObject, Dictionary<string, string>> change)
    {
        var (portal, _, error) = Resolve(request, portals, CrmObjectTypes.Quotes.Name);
        if (error is not null)
            return error;
        lock (portal!.Sync)
        {
            if (portal.Objects.Find(CrmObjectTypes.Quotes, quoteId) is not { } quote)
                return NotFound(CrmObjectTypes.Quotes, quoteId);
            if (crm.Update(portal, quote, change(portal, quote), HubSpotCrm.Actor.Person) is { } updateError)
                return updateError.ToProblem();
            return TypedResults.Json(CrmObjectViews.View(portal, quote, new ObjectViewRequest(AlsoInclude: quote.PropertiesWithValues.ToList())), HubSpotJson.Context.SimplePublicObject);
        }
    }

    private static IResult Timeline(string objectType, string objectId, HttpRequest request, HubSpotPortals portals)
    {
        var (portal, type, error) = Resolve(request, portals, objectType);
        return error ?? TypedResults.Json(new TimelineEventList(portal!.Locked(() => portal.TimelineEvents.For(type!.Name, objectId))), HubSpotJson.Context.TimelineEventList);
    }

    /// <summary>The workflow action callbacks apps completed in the portal, oldest first; <c>?callbackId=</c> narrows to one.</summary>
    private static IResult WorkflowCallbacks(string? callbackId, HttpRequest request, HubSpotPortals portals)
    {
        var (portal, _, error) = Resolve(request, portals, CrmObjectTypes.Deals.Name);
        return error ?? TypedResults.Json(portal!.Locked(() => portal.WorkflowCallbacks.All(callbackId)).ToList(), HubSpotJson.Context.ListWorkflowCallbackCompletion);
    }

    private static Results<Ok<FaultSettings>, ProblemHttpResult> SetFaults(FaultSettings settings, [FromKeyedServices(HubSpotSandboxRegistration.ServiceKey)] FaultInjector faults)
    {
        if (settings.Validate() is { } problem)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad fault settings", detail: problem);
        faults.Set(settings);
        return TypedResults.Ok(faults.Current);
    }

    private static (List<AssociationToCreate>? Associations, IResult? Error) Associations(CrmObjectType from, List<AdminAssociationInput>? inputs)
    {
        var associations = new List<AssociationToCreate>();
        foreach (var input in inputs ?? [])
        {
            var to = CrmObjectTypes.Find(input.ToObjectType ?? "");
            var toId = HubSpotRequestBody.Text(input.ToObjectId);
            var type = to is null ? null : input.AssociationTypeId is { } id ? AssociationTypes.Find(from, to, id) : AssociationTypes.Default(from, to);
            if (type is null || !long.TryParse(toId, NumberStyles.None, CultureInfo.InvariantCulture, out var target))
                return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad association", detail: $"Cannot associate {from.Name} with {input.ToObjectType} {toId}: give toObjectType, a numeric toObjectId and, optionally, a HubSpot-defined associationTypeId."));
            associations.Add(new AssociationToCreate(type, target));
        }

        return (associations, null);
    }

    private static (HubSpotPortal? Portal, CrmObjectType? Type, IResult? Error) Resolve(HttpRequest request, HubSpotPortals portals, string objectType)
    {
        var portalText = request.Query["portalId"].ToString();
        var portalId = DemoData.PortalId;
        if (portalText.Length > 0 && !long.TryParse(portalText, NumberStyles.None, CultureInfo.InvariantCulture, out portalId))
            return (null, null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad portal id", detail: $"portalId must be a number ({portalText} given)."));
        if (portals.Find(portalId) is not { } portal)
            return (null, null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such portal", detail: $"Portal {portalId} does not exist; install the app there first (OAuth, or POST /admin/portals/{portalId}/tokens)."));
        if (CrmObjectTypes.Find(objectType) is not { } type)
            return (null, null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No such object type", detail: $"Unknown object type {objectType}; known: {string.Join(", ", CrmObjectTypes.All.Select(t => t.Name))}."));
        return (portal, type, null);
    }

    private static (HubSpotPortal? Portal, CrmObjectType? From, CrmObjectType? To, IResult? Error) ResolvePair(HttpRequest request, HubSpotPortals portals, string fromType, string toType)
    {
        var (portal, from, error) = Resolve(request, portals, fromType);
        if (error is not null)
            return (null, null, null, error);
        var (_, to, toError) = Resolve(request, portals, toType);
        return toError is not null ? (null, null, null, toError) : (portal, from, to, null);
    }

    private static IResult NotFound(CrmObjectType type, string id)
        => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such record", detail: $"There is no {type.Singular} {id} in this portal.");
}
