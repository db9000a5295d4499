using System.Globalization;

namespace OrleansSync.Sandbox.HubSpot;

public sealed record PipelineStage(string Id, string Label, int DisplayOrder, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool Archived, string WritePermissions);

public sealed record Pipeline(string Id, string Label, int DisplayOrder, IReadOnlyList<PipelineStage> Stages, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool Archived);

public sealed record PipelineList(IReadOnlyList<Pipeline> Results);

/// <summary>
/// <c>GET /crm/v3/pipelines/deals</c>: the default sales pipeline, whose stage ids are the values <c>dealstage</c>
/// accepts. Metadata values are strings, as HubSpot sends them.
/// </summary>
public static class PipelineEndpoints
{
    private static readonly (string Label, decimal Probability)[] Stages =
    [
        ("Appointment scheduled", 0.2m), ("Qualified to buy", 0.4m), ("Presentation scheduled", 0.6m), ("Decision maker bought-in", 0.8m),
        ("Contract sent", 0.9m), ("Closed won", 1.0m), ("Closed lost", 0.0m),
    ];

    public static RouteGroupBuilder MapPipelines(this RouteGroupBuilder api)
    {
        api.MapGet("/crm/v3/pipelines/{objectType}", (string objectType, HttpContext http) =>
        {
            var (type, error) = CrmRequests.Type(objectType);
            if (error is not null)
                return error.ToResult();
            var pipelines = type == CrmObjectTypes.Deals ? [Default(HubSpotCaller.Portal(http).Account.CreatedAt)] : new List<Pipeline>();
            return TypedResults.Json(new PipelineList(pipelines), HubSpotJson.Context.PipelineList);
        });
        return api;
    }

    private static Pipeline Default(DateTimeOffset createdAt)
    {
        var stages = HubSpotDefinedProperties.DefaultPipelineStages.Select((id, i) => new PipelineStage(
            id, Stages[i].Label, i,
            new Dictionary<string, string>
            {
                ["isClosed"] = (id is "closedwon" or "closedlost") ? "true" : "false",
                ["probability"] = Stages[i].Probability.ToString("0.0", CultureInfo.InvariantCulture),
            },
            createdAt, createdAt, false, "CRUD_ALL")).ToList();
        return new Pipeline("default", "Sales Pipeline", 0, stages, createdAt, createdAt, false);
    }
}
