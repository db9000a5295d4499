using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// The CRM objects API v3 in batches of at most 100: read, create, update, archive. Bad values fail a whole batch
/// (400); ids that do not exist fail only themselves (207 with <c>numErrors</c> and <c>errors</c>).
/// </summary>
public static class CrmBatchEndpoints
{
    public static RouteGroupBuilder MapCrmBatches(this RouteGroupBuilder api)
    {
        api.MapPost("/crm/v3/objects/{objectType}/batch/read", Read);
        api.MapPost("/crm/v3/objects/{objectType}/batch/create", Create);
        api.MapPost("/crm/v3/objects/{objectType}/batch/update", Update);
        api.MapPost("/crm/v3/objects/{objectType}/batch/archive", Archive);
        return api;
    }

    private static async Task<IResult> Read(string objectType, HttpContext http, SandboxClock clock)
    {
        var startedAt = clock.GetUtcNow();
        var (type, error) = CrmRequests.Type(objectType);
        var (archived, archivedError) = HubSpotQuery.Flag(http.Request, "archived");
        if ((error ?? archivedError) is { } refused)
            return refused.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.BatchReadRequest);
        if (bodyError is not null)
            return bodyError.ToResult();
        if (body!.Inputs is null)
            return InputsRequired();
        if (CrmRequests.BatchSize(body.Inputs.Count, withHistory: body.PropertiesWithHistory is { Count: > 0 }) is { } tooMany)
            return tooMany.ToResult();

        var portal = HubSpotCaller.Portal(http);
        var view = new ObjectViewRequest(body.Properties, body.PropertiesWithHistory);
        lock (portal.Sync)
        {
            var results = new List<SimplePublicObject>();
            var missing = new List<string>();
            foreach (var id in body.Inputs.Select(i => CrmObjectEndpoints.Id(i.Id)).Distinct(StringComparer.Ordinal))
            {
                var (record, findError) = CrmRequests.Find(portal, type!, id, body.IdProperty, archived);
                if (findError is { Category: HubSpotError.ValidationError })
                    return findError.ToResult();
                if (record is null)
                    missing.Add(id);
                else
                    results.Add(CrmObjectViews.View(portal, record, view));
            }

            return Respond(results, NotFound(type!, missing), startedAt, clock, StatusCodes.Status200OK);
        }
    }

    private static async Task<IResult> Create(string objectType, HttpContext http, HubSpotCrm crm, SandboxClock clock)
    {
        var startedAt = clock.GetUtcNow();
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.BatchCreateRequest);
        if (bodyError is not null)
            return bodyError.ToResult();
        if (body!.Inputs is null)
            return InputsRequired();
        if (CrmRequests.BatchSize(body.Inputs.Count) is { } tooMany)
            return tooMany.ToResult();

        var inputs = new List<HubSpotCrm.CreateInput>();
        foreach (var item in body.Inputs)
        {
            var (input, inputError) = CrmRequests.CreateInput(type!, item);
            if (inputError is not null)
                return inputError.ToResult();
            inputs.Add(input!);
        }

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            var (records, createError) = crm.CreateMany(portal, type!, inputs, HubSpotCrm.Actor.Api);
            if (createError is not null)
                return createError.ToResult();
            var results = records!.Select((r, i) => CrmObjectViews.View(portal, r, new ObjectViewRequest(AlsoInclude: inputs[i].Properties.Keys))).ToList();
            return Respond(results, null, startedAt, clock, StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> Update(string objectType, HttpContext http, HubSpotCrm crm, SandboxClock clock)
    {
        var startedAt = clock.GetUtcNow();
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.BatchUpdateRequest);
        if (bodyError is not null)
            return bodyError.ToResult();
        if (body!.Inputs is null)
            return InputsRequired();
        if (CrmRequests.BatchSize(body.Inputs.Count) is { } tooMany)
            return tooMany.ToResult();
        var duplicates = body.Inputs.GroupBy(i => CrmObjectEndpoints.Id(i.Id)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
            return HubSpotError.Validation($"Duplicate IDs found in batch input: [{string.Join(", ", duplicates)}]. IDs must be unique").ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            var updates = new List<(CrmObject Record, IReadOnlyDictionary<string, string> Properties)>();
            var missing = new List<string>();
            foreach (var input in body.Inputs)
            {
                var id = CrmObjectEndpoints.Id(input.Id);
                var (properties, propertiesError) = HubSpotRequestBody.Properties(input.Properties);
                if (propertiesError is not null)
                    return propertiesError.ToResult();
                var (record, findError) = CrmRequests.Find(portal, type!, id, input.IdProperty);
                if (findError is { Category: HubSpotError.ValidationError })
                    return findError.ToResult();
                if (record is null)
                    missing.Add(id);
                else
                    updates.Add((record, properties!));
            }

            if (crm.ValidateUpdates(portal, updates, HubSpotCrm.Actor.Api) is { } invalid)
                return invalid.ToResult();
            var results = new List<SimplePublicObject>();
            foreach (var (record, properties) in updates)
            {
                crm.Update(portal, record, properties, HubSpotCrm.Actor.Api);
                results.Add(CrmObjectViews.View(portal, record, new ObjectViewRequest(AlsoInclude: properties.Keys)));
            }

            return Respond(results, NotFound(type!, missing), startedAt, clock, StatusCodes.Status200OK);
        }
    }

    /// <summary>Archiving ids that do not exist is not an error: the answer is 204 either way.</summary>
    private static async Task<IResult> Archive(string objectType, HttpContext http, HubSpotCrm crm)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.BatchArchiveRequest);
        if (bodyError is not null)
            return bodyError.ToResult();
        if (body!.Inputs is null)
            return InputsRequired();
        if (CrmRequests.BatchSize(body.Inputs.Count) is { } tooMany)
            return tooMany.ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            foreach (var input in body.Inputs)
            {
                if (portal.Objects.Find(type!, CrmObjectEndpoints.Id(input.Id)) is { } record)
                    crm.Archive(portal, record, HubSpotCrm.Actor.Api);
            }
        }

        return Results.NoContent();
    }

    private static IResult InputsRequired() => HubSpotError.Validation("Invalid input JSON on line 1, column 1: inputs is required").ToResult();

    /// <summary>HubSpot groups the ids it could not find into one error.</summary>
    private static BatchError? NotFound(CrmObjectType type, List<string> missing)
        => missing.Count == 0
            ? null
            : new BatchError("error", HubSpotError.ObjectNotFound, $"Could not get some {type.UpperName} objects, they may be deleted or not exist. Check that ids are valid.",
                new Dictionary<string, IReadOnlyList<string>> { ["ids"] = missing });

    private static IResult Respond(List<SimplePublicObject> results, BatchError? error, DateTimeOffset startedAt, SandboxClock clock, int successStatus)
    {
        var response = new BatchResponse<SimplePublicObject>("COMPLETE", results, startedAt, clock.GetUtcNow(),
            error is null ? null : 1, error is null ? null : [error]);
        return TypedResults.Json(response, HubSpotJson.Context.BatchResponseSimplePublicObject,
            statusCode: error is null ? successStatus : StatusCodes.Status207MultiStatus);
    }
}
