using System.Text.Json;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>The CRM objects API v3 for one record at a time: list, create, read, update, archive, merge.</summary>
public static class CrmObjectEndpoints
{
    private const int DefaultPageSize = 10;

    /// <summary>The list endpoint's maximum page size (UNCONFIRMED in our sources; larger limits are capped).</summary>
    private const int MaxPageSize = 100;

    public static RouteGroupBuilder MapCrmObjects(this RouteGroupBuilder api)
    {
        api.MapGet("/crm/v3/objects/{objectType}", List);
        api.MapPost("/crm/v3/objects/{objectType}", Create);
        api.MapGet("/crm/v3/objects/{objectType}/{objectId}", Read);
        api.MapPatch("/crm/v3/objects/{objectType}/{objectId}", Update);
        api.MapDelete("/crm/v3/objects/{objectType}/{objectId}", Archive);
        api.MapPost("/crm/v3/objects/{objectType}/merge", Merge);
        return api;
    }

    private static IResult List(string objectType, HttpContext http)
    {
        var (type, error) = CrmRequests.Type(objectType);
        var (limit, limitError) = HubSpotQuery.Limit(http.Request, DefaultPageSize, MaxPageSize);
        var (after, afterError) = HubSpotQuery.After(http.Request);
        var (archived, archivedError) = HubSpotQuery.Flag(http.Request, "archived");
        if ((error ?? limitError ?? afterError ?? archivedError) is { } refused)
            return refused.ToResult();

        var portal = HubSpotCaller.Portal(http);
        var view = ObjectViewRequest.FromQuery(http.Request);
        var page = portal.Locked(() =>
        {
            var records = portal.Objects.All(type!, archived).Where(o => o.Id >= after).Take(limit + 1).ToList();
            var next = records.Count > limit ? records[limit].IdText : null;
            return new ObjectPage(
                [.. records.Take(limit).Select(o => CrmObjectViews.View(portal, o, view))],
                next is null ? null : new Paging(new NextPage(next, $"?after={next}")));
        });
        return TypedResults.Json(page, HubSpotJson.Context.ObjectPage);
    }

    private static async Task<IResult> Create(string objectType, HttpContext http, HubSpotCrm crm)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.ObjectCreateInput);
        if (bodyError is not null)
            return bodyError.ToResult();
        var (input, inputError) = CrmRequests.CreateInput(type!, body!);
        if (inputError is not null)
            return inputError.ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            var (record, createError) = crm.Create(portal, type!, input!, HubSpotCrm.Actor.Api);
            if (createError is not null)
                return createError.ToResult();
            var view = CrmObjectViews.View(portal, record!, new ObjectViewRequest(AlsoInclude: input!.Properties.Keys));
            return TypedResults.Json(view, HubSpotJson.Context.SimplePublicObject, statusCode: StatusCodes.Status201Created);
        }
    }

    private static IResult Read(string objectType, string objectId, HttpContext http)
    {
        var (type, error) = CrmRequests.Type(objectType);
        var (archived, archivedError) = HubSpotQuery.Flag(http.Request, "archived");
        if ((error ?? archivedError) is { } refused)
            return refused.ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            var (record, findError) = CrmRequests.Find(portal, type!, objectId, http.Request.Query["idProperty"], archived);
            return findError is not null
                ? findError.ToResult()
                : TypedResults.Json(CrmObjectViews.View(portal, record!, ObjectViewRequest.FromQuery(http.Request)), HubSpotJson.Context.SimplePublicObject);
        }
    }

    private static async Task<IResult> Update(string objectType, string objectId, HttpContext http, HubSpotCrm crm)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.ObjectUpdateInput);
        if (bodyError is not null)
            return bodyError.ToResult();
        var (properties, propertiesError) = HubSpotRequestBody.Properties(body!.Properties);
        if (propertiesError is not null)
            return propertiesError.ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            var (record, findError) = CrmRequests.Find(portal, type!, objectId, http.Request.Query["idProperty"]);
            if (findError is not null)
                return findError.ToResult();
            if (crm.Update(portal, record!, properties!, HubSpotCrm.Actor.Api) is { } updateError)
                return updateError.ToResult();
            var view = CrmObjectViews.View(portal, record!, new ObjectViewRequest(AlsoInclude: properties!.Keys));
            return TypedResults.Json(view, HubSpotJson.Context.SimplePublicObject);
        }
    }

    /// <summary>Archiving is idempotent: an unknown or already archived id also gets 204.</summary>
    private static IResult Archive(string objectType, string objectId, HttpContext http, HubSpotCrm crm)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            if (portal.Objects.Find(type!, objectId) is { } record)
                crm.Archive(portal, record, HubSpotCrm.Actor.Api);
        }

        return Results.NoContent();
    }

    /// <summary>Merge exists for contacts, companies and deals only.</summary>
    private static async Task<IResult> Merge(string objectType, HttpContext http, HubSpotCrm crm)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        if (type != CrmObjectTypes.Contacts && type != CrmObjectTypes.Companies && type != CrmObjectTypes.Deals)
            return HubSpotError.Validation($"Merging is not supported for {type!.Name}.").ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.MergeRequest);
        if (bodyError is not null)
            return bodyError.ToResult();
        var primaryId = HubSpotRequestBody.Text(body!.PrimaryObjectId);
        var mergedId = HubSpotRequestBody.Text(body.ObjectIdToMerge);
        if (primaryId is null || mergedId is null)
            return HubSpotError.Validation("Invalid input JSON on line 1, column 1: primaryObjectId and objectIdToMerge are required").ToResult();
        if (primaryId == mergedId)
            return HubSpotError.Validation("Cannot merge an object with itself.").ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            var primary = portal.Objects.Find(type!, primaryId);
            var merged = portal.Objects.Find(type!, mergedId);
            if (primary is null || merged is null)
                return HubSpotError.ObjectMissing(primary is null ? primaryId : mergedId).ToResult();
            crm.Merge(portal, primary, merged, HubSpotCrm.Actor.Api);
            return TypedResults.Json(CrmObjectViews.View(portal, primary, ObjectViewRequest.Defaults), HubSpotJson.Context.SimplePublicObject);
        }
    }

    /// <summary>An id of a batch input, which may come as a JSON string or number.</summary>
    internal static string Id(JsonElement? id) => HubSpotRequestBody.Text(id) ?? "";
}
