using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>The properties API v3: a portal's property definitions and groups, per object type.</summary>
public static class PropertyEndpoints
{
    public static RouteGroupBuilder MapProperties(this RouteGroupBuilder api)
    {
        api.MapGet("/crm/v3/properties/{objectType}", List);
        api.MapPost("/crm/v3/properties/{objectType}", Create);
        api.MapPost("/crm/v3/properties/{objectType}/batch/read", BatchRead);
        api.MapPost("/crm/v3/properties/{objectType}/batch/create", BatchCreate);
        api.MapPost("/crm/v3/properties/{objectType}/batch/archive", BatchArchive);
        api.MapGet("/crm/v3/properties/{objectType}/groups", ListGroups);
        api.MapPost("/crm/v3/properties/{objectType}/groups", CreateGroup);
        api.MapGet("/crm/v3/properties/{objectType}/groups/{groupName}", ReadGroup);
        api.MapPatch("/crm/v3/properties/{objectType}/groups/{groupName}", UpdateGroup);
        api.MapDelete("/crm/v3/properties/{objectType}/groups/{groupName}", ArchiveGroup);
        api.MapGet("/crm/v3/properties/{objectType}/{propertyName}", Read);
        api.MapPatch("/crm/v3/properties/{objectType}/{propertyName}", Update);
        api.MapDelete("/crm/v3/properties/{objectType}/{propertyName}", Archive);
        return api;
    }

    private static IResult List(string objectType, HttpContext http)
    {
        var (type, error) = CrmRequests.Type(objectType);
        var (archived, archivedError) = HubSpotQuery.Flag(http.Request, "archived");
        if ((error ?? archivedError) is { } refused)
            return refused.ToResult();
        var portal = HubSpotCaller.Portal(http);
        var list = portal.Locked(() => new PropertyList(portal.Properties.List(type!, archived)));
        return TypedResults.Json(list, HubSpotJson.Context.PropertyList);
    }

    private static IResult Read(string objectType, string propertyName, HttpContext http)
    {
        var (type, error) = CrmRequests.Type(objectType);
        var (archived, archivedError) = HubSpotQuery.Flag(http.Request, "archived");
        if ((error ?? archivedError) is { } refused)
            return refused.ToResult();
        var portal = HubSpotCaller.Portal(http);
        var property = portal.Locked(() => portal.Properties.FindAny(type!, propertyName));
        return property is not null && property.Archived == archived
            ? TypedResults.Json(property, HubSpotJson.Context.PropertyDefinition)
            : PropertyMissing(type!, propertyName).ToResult();
    }

    private static async Task<IResult> Create(string objectType, HttpContext http, SandboxClock clock)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (input, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.PropertyCreateInput);
        if (bodyError is not null)
            return bodyError.ToResult();
        var portal = HubSpotCaller.Portal(http);
        var (property, createError) = portal.Locked(() => CreateOne(portal, type!, input!, clock.GetUtcNow()));
        return createError is not null
            ? createError.ToResult()
            : TypedResults.Json(property!, HubSpotJson.Context.PropertyDefinition, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> Update(string objectType, string propertyName, HttpContext http, SandboxClock clock)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (input, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.PropertyUpdateInput);
        if (bodyError is not null)
            return bodyError.ToResult();
        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            if (portal.Properties.Find(type!, propertyName) is not { } current)
                return PropertyMissing(type!, propertyName).ToResult();
            var (updated, updateError) = PropertyDefinitionRules.Update(portal.Properties, type!, current, input!, clock.GetUtcNow());
            if (updateError is not null)
                return updateError.ToResult();
            portal.Properties.Put(type!, updated!);
            return TypedResults.Json(updated!, HubSpotJson.Context.PropertyDefinition);
        }
    }

    private static IResult Archive(string objectType, string propertyName, HttpContext http, SandboxClock clock)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var portal = HubSpotCaller.Portal(http);
        var archiveError = portal.Locked(() => ArchiveOne(portal, type!, propertyName, clock.GetUtcNow()));
        return archiveError?.ToResult() ?? Results.NoContent();
    }

    private static async Task<IResult> BatchRead(string objectType, HttpContext http, SandboxClock clock)
    {
        var startedAt = clock.GetUtcNow();
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.PropertyBatchReadRequest);
        if ((bodyError ?? (body!.Inputs is null ? HubSpotError.Validation("Invalid input JSON on line 1, column 1: inputs is required") : null)) is { } refused)
            return refused.ToResult();

        var portal = HubSpotCaller.Portal(http);
        var archived = body!.Archived ?? false;
        var (found, missing) = portal.Locked(() =>
        {
            var names = body.Inputs!.Select(i => i.Name ?? "").Distinct(StringComparer.Ordinal).ToList();
            var properties = names.Select(n => portal.Properties.FindAny(type!, n)).Where(p => p is not null && p.Archived == archived).ToList();
            return (properties, names.Except(properties.Select(p => p!.Name), StringComparer.Ordinal).ToList());
        });
        var errors = missing.Select(name => new BatchError("error", HubSpotError.ObjectNotFound, PropertyMissing(type!, name).Message,
            new Dictionary<string, IReadOnlyList<string>> { ["name"] = [name] })).ToList();
        return Respond([.. found.OfType<PropertyDefinition>()], errors, startedAt, clock, StatusCodes.Status200OK);
    }

    private static async Task<IResult> BatchCreate(string objectType, HttpContext http, SandboxClock clock)
    {
        var startedAt = clock.GetUtcNow();
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.PropertyBatchCreateRequest);
        if ((bodyError ?? (body!.Inputs is null ? HubSpotError.Validation("Invalid input JSON on line 1, column 1: inputs is required") : null)
            ?? CrmRequests.BatchSize(body!.Inputs!.Count)) is { } refused)
            return refused.ToResult();

        var portal = HubSpotCaller.Portal(http);
        var created = new List<PropertyDefinition>();
        var errors = new List<BatchError>();
        lock (portal.Sync)
        {
            foreach (var input in body!.Inputs!)
            {
                var (property, createError) = CreateOne(portal, type!, input, clock.GetUtcNow());
                if (createError is not null)
                    errors.Add(new BatchError("error", createError.Category, createError.Message, createError.Context));
                else
                    created.Add(property!);
            }
        }

        return Respond(created, errors, startedAt, clock, StatusCodes.Status201Created);
    }

    private static async Task<IResult> BatchArchive(string objectType, HttpContext http, SandboxClock clock)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.PropertyBatchArchiveRequest);
        if (bodyError is not null)
            return bodyError.ToResult();
        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            foreach (var input in body!.Inputs ?? [])
            {
                if (portal.Properties.Find(type!, input.Name ?? "") is { HubspotDefined: true })
                    return CannotArchive(input.Name!).ToResult();
            }

            foreach (var input in body.Inputs ?? [])
                ArchiveOne(portal, type!, input.Name ?? "", clock.GetUtcNow());
        }

        return Results.NoContent();
    }

    private static IResult ListGroups(string objectType, HttpContext http)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var portal = HubSpotCaller.Portal(http);
        return TypedResults.Json(portal.Locked(() => new PropertyGroupList(portal.Properties.Groups(type!))), HubSpotJson.Context.PropertyGroupList);
    }

    private static IResult ReadGroup(string objectType, string groupName, HttpContext http)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var portal = HubSpotCaller.Portal(http);
        return portal.Locked(() => portal.Properties.FindGroup(type!, groupName)) is { } group
            ? TypedResults.Json(group, HubSpotJson.Context.PropertyGroup)
            : GroupMissing(type!, groupName).ToResult();
    }

    private static async Task<IResult> CreateGroup(string objectType, HttpContext http)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (input, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.PropertyGroupInput);
        if (bodyError is not null)
            return bodyError.ToResult();
        var missing = new[] { ("name", input!.Name), ("label", input.Label) }.Where(f => string.IsNullOrEmpty(f.Item2)).Select(f => f.Item1).ToList();
        if (missing.Count > 0)
            return HubSpotError.Validation($"Invalid input JSON on line 1, column 1: Cannot build PropertyGroupCreate, some of required attributes are not set [{string.Join(", ", missing)}]").ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            if (portal.Properties.GroupNameTaken(type!, input.Name!))
                return new HubSpotError(StatusCodes.Status409Conflict, $"Property group named '{input.Name}' already exists.", HubSpotError.Conflict).ToResult();
            var group = new PropertyGroup(input.Name!, input.Label!, input.DisplayOrder ?? -1);
            portal.Properties.PutGroup(type!, group);
            return TypedResults.Json(group, HubSpotJson.Context.PropertyGroup, statusCode: StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> UpdateGroup(string objectType, string groupName, HttpContext http)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (input, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.PropertyGroupInput);
        if (bodyError is not null)
            return bodyError.ToResult();
        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            if (portal.Properties.FindGroup(type!, groupName) is not { } group)
                return GroupMissing(type!, groupName).ToResult();
            var updated = group with { Label = input!.Label ?? group.Label, DisplayOrder = input.DisplayOrder ?? group.DisplayOrder };
            portal.Properties.PutGroup(type!, updated);
            return TypedResults.Json(updated, HubSpotJson.Context.PropertyGroup);
        }
    }

    private static IResult ArchiveGroup(string objectType, string groupName, HttpContext http)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            if (portal.Properties.FindGroup(type!, groupName) is not { } group)
                return GroupMissing(type!, groupName).ToResult();
            if (HubSpotDefinedProperties.Groups(type!).Any(g => g.Name == groupName) || portal.Properties.GroupInUse(type!, groupName))
                return HubSpotError.Validation($"Property group {groupName} cannot be archived: it is HubSpot-defined or still has properties.").ToResult();
            portal.Properties.PutGroup(type!, group with { Archived = true });
        }

        return Results.NoContent();
    }

    private static (PropertyDefinition? Property, HubSpotError? Error) CreateOne(HubSpotPortal portal, CrmObjectType type, PropertyCreateInput input, DateTimeOffset now)
    {
        var (property, error) = PropertyDefinitionRules.Create(portal.Properties, type, input, now);
        if (property is not null)
            portal.Properties.Put(type, property);
        return (property, error);
    }

    /// <summary>Archiving an unknown or archived property is quietly done; a HubSpot-defined one cannot be archived.</summary>
    private static HubSpotError? ArchiveOne(HubSpotPortal portal, CrmObjectType type, string name, DateTimeOffset now)
    {
        if (portal.Properties.Find(type, name) is not { } property)
            return null;
        if (property.HubspotDefined)
            return CannotArchive(name);
        portal.Properties.Put(type, property with { Archived = true, ArchivedAt = now, UpdatedAt = now });
        return null;
    }

    private static HubSpotError CannotArchive(string name) => HubSpotError.Validation($"{name} is a HubSpot-defined property and cannot be archived.");

    private static HubSpotError PropertyMissing(CrmObjectType type, string name)
        => HubSpotError.NotFound($"Unable to find property {name} for object type {type.TypeId}", new Dictionary<string, IReadOnlyList<string>> { ["name"] = [name] });

    private static HubSpotError GroupMissing(CrmObjectType type, string name)
        => HubSpotError.NotFound($"Unable to find property group {name} for object type {type.TypeId}", new Dictionary<string, IReadOnlyList<string>> { ["name"] = [name] });

    private static IResult Respond(List<PropertyDefinition> results, List<BatchError> errors, DateTimeOffset startedAt, SandboxClock clock, int successStatus)
    {
        var response = new BatchResponse<PropertyDefinition>("COMPLETE", results, startedAt, clock.GetUtcNow(), errors.Count == 0 ? null : errors.Count, errors.Count == 0 ? null : errors);
        return TypedResults.Json(response, HubSpotJson.Context.BatchResponsePropertyDefinition, statusCode: errors.Count == 0 ? successStatus : StatusCodes.Status207MultiStatus);
    }
}
