using System.Globalization;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// The associations API v4: associate two records (by the default type or by labels), list a record's associations,
/// remove them, the same in batches, and the labels of a pair of types.
/// </summary>
public static class AssociationEndpoints
{
    private const int MaxPageSize = 500;
    private const int MaxBatchRead = 1000;

    /// <summary>Batch create and archive limits are UNCONFIRMED; we use the objects API's 100.</summary>
    private const int MaxBatchWrite = 100;

    public static RouteGroupBuilder MapAssociations(this RouteGroupBuilder api)
    {
        api.MapPut("/crm/v4/objects/{fromType}/{fromId}/associations/default/{toType}/{toId}", AssociateDefault);
        api.MapPut("/crm/v4/objects/{fromType}/{fromId}/associations/{toType}/{toId}", AssociateLabels);
        api.MapGet("/crm/v4/objects/{fromType}/{fromId}/associations/{toType}", List);
        api.MapDelete("/crm/v4/objects/{fromType}/{fromId}/associations/{toType}/{toId}", Remove);
        api.MapPost("/crm/v4/associations/{fromType}/{toType}/batch/create", BatchCreate);
        api.MapPost("/crm/v4/associations/{fromType}/{toType}/batch/associate/default", BatchAssociateDefault);
        api.MapPost("/crm/v4/associations/{fromType}/{toType}/batch/read", BatchRead);
        api.MapPost("/crm/v4/associations/{fromType}/{toType}/batch/archive", BatchArchive);
        api.MapPost("/crm/v4/associations/{fromType}/{toType}/batch/labels/archive", BatchArchiveLabels);
        api.MapGet("/crm/v4/associations/{fromType}/{toType}/labels", Labels);
        api.MapGet("/crm/associations/v4/{fromType}/{toType}/labels", Labels);
        return api;
    }

    private sealed record Ends(CrmObjectType From, CrmObjectType To);

    private static IResult AssociateDefault(string fromType, string fromId, string toType, string toId, HttpContext http, HubSpotCrm crm, SandboxClock clock)
    {
        var startedAt = clock.GetUtcNow();
        var (ends, error) = Types(fromType, toType);
        if (error is not null)
            return error.ToResult();
        if (AssociationTypes.Default(ends!.From, ends.To) is not { } type)
            return NoAssociation(ends).ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            var (from, to, missing) = Records(portal, ends, fromId, toId);
            if (missing is not null)
                return missing.ToResult();
            crm.Associate(portal, type, from, to, HubSpotCrm.Actor.Api);
            var response = new BatchResponse<DefaultAssociation>("COMPLETE", DefaultPair(type, from, to), startedAt, clock.GetUtcNow());
            return TypedResults.Json(response, HubSpotJson.Context.BatchResponseDefaultAssociation);
        }
    }

    private static async Task<IResult> AssociateLabels(string fromType, string fromId, string toType, string toId, HttpContext http, HubSpotCrm crm)
    {
        var (ends, error) = Types(fromType, toType);
        if (error is not null)
            return error.ToResult();
        var (specs, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.ListAssociationSpec);
        if (bodyError is not null)
            return bodyError.ToResult();
        var types = new List<AssociationType>();
        foreach (var spec in specs!)
        {
            var (type, typeError) = CrmRequests.ResolveAssociation(ends!.From, spec, ends.To);
            if (typeError is not null)
                return typeError.ToResult();
            types.Add(type!);
        }

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            var (from, to, missing) = Records(portal, ends!, fromId, toId);
            if (missing is not null)
                return missing.ToResult();
            foreach (var type in types)
                crm.Associate(portal, type, from, to, HubSpotCrm.Actor.Api);
            return TypedResults.Json(LabelsOf(portal, ends!, from, to), HubSpotJson.Context.LabelsBetweenObjectPair, statusCode: StatusCodes.Status201Created);
        }
    }

    /// <summary>
    /// A record's associations with one type, by ascending id, 500 per page at most; an unknown record simply has none.
    /// </summary>
    private static IResult List(string fromType, string fromId, string toType, HttpContext http)
    {
        var (ends, error) = Types(fromType, toType);
        var (limit, limitError) = HubSpotQuery.Limit(http.Request, MaxPageSize, MaxPageSize);
        var (after, afterError) = HubSpotQuery.After(http.Request);
        if ((error ?? limitError ?? afterError) is { } refused)
            return refused.ToResult();

        var portal = HubSpotCaller.Portal(http);
        var page = portal.Locked(() =>
        {
            var all = portal.Objects.Find(ends!.From, fromId) is { } record ? Associated(portal, ends, record.Id) : [];
            var from = all.Where(a => a.ToObjectId >= after).Take(limit + 1).ToList();
            var next = from.Count > limit ? from[limit].ToObjectId.ToString(CultureInfo.InvariantCulture) : null;
            return new AssociationPage([.. from.Take(limit)], next is null ? null : new Paging(new NextPage(next, $"?after={next}")));
        });
        return TypedResults.Json(page, HubSpotJson.Context.AssociationPage);
    }

    private static IResult Remove(string fromType, string fromId, string toType, string toId, HttpContext http, HubSpotCrm crm)
    {
        var (ends, error) = Types(fromType, toType);
        if (error is not null)
            return error.ToResult();
        var portal = HubSpotCaller.Portal(http);
        if (long.TryParse(fromId, NumberStyles.None, CultureInfo.InvariantCulture, out var from) && long.TryParse(toId, NumberStyles.None, CultureInfo.InvariantCulture, out var to))
            crm.Disassociate(portal, ends!.From, from, ends.To, to, HubSpotCrm.Actor.Api);
        return Results.NoContent();
    }

    private static async Task<IResult> BatchCreate(string fromType, string toType, HttpContext http, HubSpotCrm crm, SandboxClock clock)
    {
        var startedAt = clock.GetUtcNow();
        var (ends, error) = Types(fromType, toType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.AssociationBatchRequest);
        if ((bodyError ?? BatchSize(body?.Inputs, MaxBatchWrite)) is { } refused)
            return refused.ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            var results = new List<LabelsBetweenObjectPair>();
            var errors = new List<BatchError>();
            foreach (var input in body!.Inputs!)
            {
                var types = new List<AssociationType>();
                foreach (var spec in input.Types ?? [])
                {
                    var (type, typeError) = CrmRequests.ResolveAssociation(ends!.From, spec, ends.To);
                    if (typeError is not null)
                        return typeError.ToResult();
                    types.Add(type!);
                }

                var (from, to, missing) = Records(portal, ends!, Id(input.From), Id(input.To));
                if (missing is not null)
                {
                    errors.Add(ToBatchError(missing));
                    continue;
                }

                foreach (var type in types)
                    crm.Associate(portal, type, from, to, HubSpotCrm.Actor.Api);
                results.Add(LabelsOf(portal, ends!, from, to));
            }

            return Respond(new BatchResponse<LabelsBetweenObjectPair>("COMPLETE", results, startedAt, clock.GetUtcNow(), NumErrors(errors), Errors(errors)),
                HubSpotJson.Context.BatchResponseLabelsBetweenObjectPair, StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> BatchAssociateDefault(string fromType, string toType, HttpContext http, HubSpotCrm crm, SandboxClock clock)
    {
        var startedAt = clock.GetUtcNow();
        var (ends, error) = Types(fromType, toType);
        if (error is not null)
            return error.ToResult();
        if (AssociationTypes.Default(ends!.From, ends.To) is not { } type)
            return NoAssociation(ends).ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.AssociationBatchRequest);
        if ((bodyError ?? BatchSize(body?.Inputs, MaxBatchWrite)) is { } refused)
            return refused.ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            var results = new List<DefaultAssociation>();
            var errors = new List<BatchError>();
            foreach (var input in body!.Inputs!)
            {
                var (from, to, missing) = Records(portal, ends, Id(input.From), Id(input.To));
                if (missing is not null)
                {
                    errors.Add(ToBatchError(missing));
                    continue;
                }

                crm.Associate(portal, type, from, to, HubSpotCrm.Actor.Api);
                results.AddRange(DefaultPair(type, from, to));
            }

            return Respond(new BatchResponse<DefaultAssociation>("COMPLETE", results, startedAt, clock.GetUtcNow(), NumErrors(errors), Errors(errors)),
                HubSpotJson.Context.BatchResponseDefaultAssociation, StatusCodes.Status200OK);
        }
    }

    /// <summary>Records without any association of the asked type (or that do not exist) come back as errors, as HubSpot's do.</summary>
    private static async Task<IResult> BatchRead(string fromType, string toType, HttpContext http, SandboxClock clock)
    {
        var startedAt = clock.GetUtcNow();
        var (ends, error) = Types(fromType, toType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.AssociationBatchReadRequest);
        if ((bodyError ?? BatchSize(body?.Inputs, MaxBatchRead)) is { } refused)
            return refused.ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            var results = new List<AssociatedFrom>();
            var errors = new List<BatchError>();
            foreach (var id in body!.Inputs!.Select(i => HubSpotRequestBody.Text(i.Id) ?? "").Distinct(StringComparer.Ordinal))
            {
                var associated = portal.Objects.Find(ends!.From, id) is { } record ? Associated(portal, ends, record.Id) : [];
                if (associated.Count == 0)
                {
                    errors.Add(new BatchError("error", HubSpotError.ObjectNotFound, $"No {ends.To.Name} are associated with {ends.From.Singular} {id}.",
                        new Dictionary<string, IReadOnlyList<string>> { ["fromObjectId"] = [id], ["fromObjectType"] = [ends.From.TypeId], ["toObjectType"] = [ends.To.TypeId] }));
                    continue;
                }

                results.Add(new AssociatedFrom(new ObjectIdView(id), associated));
            }

            return Respond(new BatchResponse<AssociatedFrom>("COMPLETE", results, startedAt, clock.GetUtcNow(), NumErrors(errors), Errors(errors)),
                HubSpotJson.Context.BatchResponseAssociatedFrom, StatusCodes.Status200OK);
        }
    }

    private static async Task<IResult> BatchArchive(string fromType, string toType, HttpContext http, HubSpotCrm crm)
    {
        var (ends, error) = Types(fromType, toType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.AssociationBatchArchiveRequest);
        if ((bodyError ?? BatchSize(body?.Inputs, MaxBatchWrite)) is { } refused)
            return refused.ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            foreach (var input in body!.Inputs!)
            {
                if (!long.TryParse(Id(input.From), NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                    continue;
                foreach (var target in input.To ?? [])
                {
                    if (long.TryParse(Id(target), NumberStyles.None, CultureInfo.InvariantCulture, out var to))
                        crm.Disassociate(portal, ends!.From, from, ends.To, to, HubSpotCrm.Actor.Api);
                }
            }
        }

        return Results.NoContent();
    }

    private static async Task<IResult> BatchArchiveLabels(string fromType, string toType, HttpContext http, HubSpotCrm crm)
    {
        var (ends, error) = Types(fromType, toType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.AssociationBatchRequest);
        if ((bodyError ?? BatchSize(body?.Inputs, MaxBatchWrite)) is { } refused)
            return refused.ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
        {
            foreach (var input in body!.Inputs!)
            {
                if (!long.TryParse(Id(input.From), NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                    || !long.TryParse(Id(input.To), NumberStyles.None, CultureInfo.InvariantCulture, out var to))
                    continue;
                foreach (var spec in input.Types ?? [])
                {
                    var (type, typeError) = CrmRequests.ResolveAssociation(ends!.From, spec, ends.To);
                    if (typeError is not null)
                        return typeError.ToResult();
                    crm.RemoveLabel(portal, type!, from, to, HubSpotCrm.Actor.Api);
                }
            }
        }

        return Results.NoContent();
    }

    private static IResult Labels(string fromType, string toType)
    {
        var (ends, error) = Types(fromType, toType);
        if (error is not null)
            return error.ToResult();
        var labels = AssociationTypes.Between(ends!.From, ends.To).Select(View).ToList();
        return TypedResults.Json(new AssociationLabels(labels), HubSpotJson.Context.AssociationLabels);
    }

    private static (Ends? Ends, HubSpotError? Error) Types(string fromType, string toType)
    {
        var (from, fromError) = CrmRequests.Type(fromType);
        var (to, toError) = CrmRequests.Type(toType);
        return (fromError ?? toError) is { } error ? (null, error) : (new Ends(from!, to!), null);
    }

    /// <summary>Both records must exist (and not be archived).</summary>
    private static (long From, long To, HubSpotError? Missing) Records(HubSpotPortal portal, Ends ends, string fromId, string toId)
    {
        var from = portal.Objects.Find(ends.From, fromId);
        var to = portal.Objects.Find(ends.To, toId);
        if (from is null || to is null)
        {
            var (type, id) = from is null ? (ends.From, fromId) : (ends.To, toId);
            return (0, 0, HubSpotError.NotFound($"No {type.Singular} with ID {id} exists.", new Dictionary<string, IReadOnlyList<string>> { ["objectType"] = [type.TypeId], ["id"] = [id] }));
        }

        return (from.Id, to.Id, null);
    }

    private static List<MultiAssociatedObject> Associated(HubSpotPortal portal, Ends ends, long fromId)
        => [.. portal.Associations.Targets(ends.From, fromId, ends.To)
            .Where(t => portal.Objects.Find(ends.To, t.ToId) is not null)
            .Select(t => new MultiAssociatedObject(t.ToId, [.. t.TypeIds.Select(id => View(AssociationTypes.Find(ends.From, ends.To, id)!))]))];

    private static List<DefaultAssociation> DefaultPair(AssociationType type, long from, long to)
    {
        var inverse = AssociationTypes.Inverse(type);
        return
        [
            new(new ObjectIdView(Format(from)), new ObjectIdView(Format(to)), new AssociationSpecView(AssociationType.HubSpotDefined, type.TypeId)),
            new(new ObjectIdView(Format(to)), new ObjectIdView(Format(from)), new AssociationSpecView(AssociationType.HubSpotDefined, inverse.TypeId)),
        ];
    }

    private static LabelsBetweenObjectPair LabelsOf(HubSpotPortal portal, Ends ends, long from, long to)
        => new(ends.From.TypeId, from, ends.To.TypeId, to,
            [.. portal.Associations.TypeIds(ends.From, from, ends.To, to).Select(id => AssociationTypes.Find(ends.From, ends.To, id)!.Label).OfType<string>()]);

    private static AssociationTypeView View(AssociationType type) => new(AssociationType.HubSpotDefined, type.TypeId, type.Label);

    private static HubSpotError NoAssociation(Ends ends)
        => HubSpotError.Validation($"There is no association type from {ends.From.TypeId} to {ends.To.TypeId}.");

    private static HubSpotError? BatchSize<T>(List<T>? inputs, int max)
        => inputs is null
            ? HubSpotError.Validation("Invalid input JSON on line 1, column 1: inputs is required")
            : inputs.Count > max ? HubSpotError.BatchTooLarge(inputs.Count, max) : null;

    private static BatchError ToBatchError(HubSpotError error) => new("error", error.Category, error.Message, error.Context);

    private static int? NumErrors(List<BatchError> errors) => errors.Count == 0 ? null : errors.Count;

    private static List<BatchError>? Errors(List<BatchError> errors) => errors.Count == 0 ? null : errors;

    private static IResult Respond<T>(BatchResponse<T> response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<BatchResponse<T>> type, int successStatus)
        => TypedResults.Json(response, type, statusCode: response.NumErrors is null ? successStatus : StatusCodes.Status207MultiStatus);

    private static string Id(ObjectReference? reference) => HubSpotRequestBody.Text(reference?.Id) ?? "";

    private static string Format(long id) => id.ToString(CultureInfo.InvariantCulture);
}
