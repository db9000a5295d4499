using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary><c>POST /crm/v3/objects/{type}/search</c>: limited to 5 per second per portal, without rate-limit headers.</summary>
public static class CrmSearchEndpoints
{
    public static RouteGroupBuilder MapCrmSearch(this RouteGroupBuilder api)
    {
        api.MapPost("/crm/v3/objects/{objectType}/search", Search).WithMetadata(HubSpotSearchEndpoint.Instance);
        return api;
    }

    private static async Task<IResult> Search(string objectType, HttpContext http, SandboxOptions options)
    {
        var (type, error) = CrmRequests.Type(objectType);
        if (error is not null)
            return error.ToResult();
        var (body, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.SearchRequest);
        if (bodyError is not null)
            return bodyError.ToResult();

        var portal = HubSpotCaller.Portal(http);
        var (page, searchError) = portal.Locked(() => CrmSearch.Run(portal, type!, body!, options.HubSpot));
        return searchError is not null ? searchError.ToResult() : TypedResults.Json(page!, HubSpotJson.Context.SearchPage);
    }
}
