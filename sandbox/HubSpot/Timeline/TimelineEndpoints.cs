using System.Globalization;
using System.Text.Json;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// The timeline events API v3: the app's event templates and the events it writes on records' timelines. HubSpot
/// keeps this API for partners that already had v1/v3 timeline events; for any other app (TimelineEventsEnabled off)
/// every call is refused with 403, and the product writes notes instead. Templates here take the bearer token too
/// (in HubSpot they are app-level calls with developer credentials).
/// </summary>
public static class TimelineEndpoints
{
    private const string NotAvailable = "Timeline events are not available to this app: the v1 and v3 timeline events APIs are only available for app partners with existing v1/v3 timeline events defined in their public app.";

    public static RouteGroupBuilder MapTimeline(this RouteGroupBuilder api)
    {
        var timeline = api.MapGroup("/integrators/timeline/v3").AddEndpointFilter<TimelineAvailableFilter>();
        timeline.MapPost("/events", Create);
        timeline.MapPost("/events/batch/create", BatchCreate);
        timeline.MapGet("/events/{eventTemplateId}/{eventId}", Read);
        timeline.MapGet("/{appId}/event-templates", ListTemplates);
        timeline.MapPost("/{appId}/event-templates", CreateTemplate);
        timeline.MapGet("/{appId}/event-templates/{eventTemplateId}", ReadTemplate);
        timeline.MapPut("/{appId}/event-templates/{eventTemplateId}", UpdateTemplate);
        timeline.MapDelete("/{appId}/event-templates/{eventTemplateId}", DeleteTemplate);
        return api;
    }

    private sealed class TimelineAvailableFilter(SandboxOptions options) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
            => options.HubSpot.TimelineEventsEnabled
                ? await next(context)
                : new HubSpotError(StatusCodes.Status403Forbidden, NotAvailable, "MISSING_SCOPES").ToResult();
    }

    private static async Task<IResult> Create(HttpContext http, TimelineTemplates templates, SandboxClock clock)
    {
        var (input, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.TimelineEventInput);
        if (bodyError is not null)
            return bodyError.ToResult();
        var portal = HubSpotCaller.Portal(http);
        var (created, error) = portal.Locked(() => Write(portal, templates, input!, clock.GetUtcNow()));
        return error is not null
            ? error.ToResult()
            : TypedResults.Json(created!, HubSpotJson.Context.TimelineEvent, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> BatchCreate(HttpContext http, TimelineTemplates templates, SandboxClock clock)
    {
        var startedAt = clock.GetUtcNow();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.TimelineEventBatchInput);
        if ((bodyError ?? (body!.Inputs is null ? HubSpotError.Validation("Invalid input JSON on line 1, column 1: inputs is required") : null)
            ?? CrmRequests.BatchSize(body!.Inputs!.Count)) is { } refused)
            return refused.ToResult();

        var portal = HubSpotCaller.Portal(http);
        var results = new List<TimelineEvent>();
        var errors = new List<BatchError>();
        lock (portal.Sync)
        {
            foreach (var input in body!.Inputs!)
            {
                var (created, error) = Write(portal, templates, input, clock.GetUtcNow());
                if (error is not null)
                    errors.Add(new BatchError("error", error.Category, error.Message, error.Context));
                else
                    results.Add(created!);
            }
        }

        var response = new BatchResponse<TimelineEvent>("COMPLETE", results, startedAt, clock.GetUtcNow(), errors.Count == 0 ? null : errors.Count, errors.Count == 0 ? null : errors);
        return TypedResults.Json(response, HubSpotJson.Context.BatchResponseTimelineEvent, statusCode: errors.Count == 0 ? StatusCodes.Status201Created : StatusCodes.Status207MultiStatus);
    }

    private static IResult Read(string eventTemplateId, string eventId, HttpContext http)
    {
        var portal = HubSpotCaller.Portal(http);
        return portal.Locked(() => portal.TimelineEvents.Find(eventTemplateId, eventId)) is { } found
            ? TypedResults.Json(found, HubSpotJson.Context.TimelineEvent)
            : HubSpotError.NotFound($"Event {eventId} of template {eventTemplateId} was not found.").ToResult();
    }

    private static IResult ListTemplates(string appId, TimelineTemplates templates, SandboxOptions options)
        => AppMissing(appId, options)?.ToResult() ?? TypedResults.Json(new TimelineTemplateList(templates.All), HubSpotJson.Context.TimelineTemplateList);

    private static async Task<IResult> CreateTemplate(string appId, HttpContext http, TimelineTemplates templates, SandboxOptions options, SandboxClock clock)
    {
        if (AppMissing(appId, options) is { } missing)
            return missing.ToResult();
        var (input, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.TimelineTemplateInput);
        if (bodyError is not null)
            return bodyError.ToResult();
        var (template, error) = templates.Create(input!, clock.GetUtcNow());
        return error is not null
            ? error.ToResult()
            : TypedResults.Json(template!, HubSpotJson.Context.TimelineTemplate, statusCode: StatusCodes.Status201Created);
    }

    private static IResult ReadTemplate(string appId, string eventTemplateId, TimelineTemplates templates, SandboxOptions options)
        => (AppMissing(appId, options) ?? (templates.Find(eventTemplateId) is null ? TemplateMissing(eventTemplateId) : null))?.ToResult()
           ?? TypedResults.Json(templates.Find(eventTemplateId)!, HubSpotJson.Context.TimelineTemplate);

    private static async Task<IResult> UpdateTemplate(string appId, string eventTemplateId, HttpContext http, TimelineTemplates templates, SandboxOptions options, SandboxClock clock)
    {
        if ((AppMissing(appId, options) ?? (templates.Find(eventTemplateId) is null ? TemplateMissing(eventTemplateId) : null)) is { } missing)
            return missing.ToResult();
        var (input, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.TimelineTemplateInput);
        if (bodyError is not null)
            return bodyError.ToResult();
        var (template, error) = templates.Update(templates.Find(eventTemplateId)!, input!, clock.GetUtcNow());
        return error?.ToResult() ?? TypedResults.Json(template!, HubSpotJson.Context.TimelineTemplate);
    }

    private static IResult DeleteTemplate(string appId, string eventTemplateId, TimelineTemplates templates, SandboxOptions options)
        => (AppMissing(appId, options) ?? (templates.Remove(eventTemplateId) ? null : TemplateMissing(eventTemplateId)))?.ToResult() ?? Results.NoContent();

    /// <summary>
    /// Writes an event on a record's timeline: the template must exist, the record too (contacts may be named by email
    /// instead), and the tokens must be the template's, with values of their types.
    /// </summary>
    private static (TimelineEvent? Event, HubSpotError? Error) Write(HubSpotPortal portal, TimelineTemplates templates, TimelineEventInput input, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(input.EventTemplateId) || templates.Find(input.EventTemplateId) is not { } template)
            return (null, TemplateMissing(input.EventTemplateId ?? "null"));

        var objectId = HubSpotRequestBody.Text(input.ObjectId);
        var recordType = CrmObjectTypes.Find(template.ObjectType);
        if (objectId is null && !(template.ObjectType == "contacts" && (input.Email ?? input.Utk) is not null))
            return (null, HubSpotError.Validation("objectId is required (contacts may be named by email or utk instead)."));
        if (objectId is null && input.Email is { } email)
            objectId = portal.Objects.All(CrmObjectTypes.Contacts).FirstOrDefault(c => string.Equals(c.Get("email"), email, StringComparison.OrdinalIgnoreCase))?.IdText;
        if (recordType is not null && (objectId is null || portal.Objects.Find(recordType, objectId) is null))
            return (null, HubSpotError.NotFound($"No {recordType.Singular} with ID {objectId ?? input.Email} exists.", new Dictionary<string, IReadOnlyList<string>> { ["objectId"] = [objectId ?? ""] }));

        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, raw) in input.Tokens ?? [])
        {
            var definition = template.Tokens.FirstOrDefault(t => t.Name == name);
            var value = HubSpotRequestBody.PropertyValue(raw) ?? "";
            var problem = definition is null ? $"Token {name} is not defined on event template {template.Id}." : TokenProblem(definition, value);
            if (problem is not null)
                return (null, HubSpotError.Validation(problem));
            tokens[name] = value;
        }

        var timestamp = now;
        if (HubSpotRequestBody.Text(input.Timestamp) is { } stamp && !HubSpotTime.TryParseInstant(stamp, out timestamp))
            return (null, HubSpotError.Validation($"timestamp {stamp} is not an ISO 8601 instant or epoch milliseconds."));

        var id = string.IsNullOrEmpty(input.Id) ? Guid.NewGuid().ToString() : input.Id.Replace("{{uuid}}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        var timelineEvent = new TimelineEvent(id, template.Id, objectId, template.ObjectType, input.Email, input.Utk, timestamp, tokens,
            input.ExtraData is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } extra ? extra.Clone() : null, input.TimelineIFrame, now);
        portal.TimelineEvents.Put(timelineEvent);
        return (timelineEvent, null);
    }

    private static string? TokenProblem(TimelineToken token, string value) => token.Type switch
    {
        "number" when !decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) => $"Token {token.Name}: {value} is not a number.",
        "date" when !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) => $"Token {token.Name}: {value} is not a date in epoch milliseconds.",
        "enumeration" when !(token.Options ?? []).Any(o => o.Value == value) => $"Token {token.Name}: {value} was not one of the allowed options: [{string.Join(", ", (token.Options ?? []).Select(o => o.Value))}]",
        _ => null,
    };

    private static HubSpotError? AppMissing(string appId, SandboxOptions options)
        => appId == options.HubSpot.AppId.ToString(CultureInfo.InvariantCulture) ? null : HubSpotError.NotFound($"App {appId} was not found.");

    private static HubSpotError TemplateMissing(string id) => HubSpotError.NotFound($"Event template {id} was not found.");
}
