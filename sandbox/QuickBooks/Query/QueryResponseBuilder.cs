using System.Text.Json.Nodes;

namespace OrleansSync.Sandbox.QuickBooks.Query;

/// <summary>
/// The bodies QuickBooks answers a query with (QUICKBOOKS-API.md §6 and §2):
/// <list type="bullet">
/// <item>a page: <c>{"QueryResponse":{"Invoice":[…],"startPosition":1,"maxResults":2,"totalCount":2},"time":…}</c>,
/// where maxResults is how many the page holds;</item>
/// <item>nothing on the page: <c>{"QueryResponse":{},"time":…}</c>;</item>
/// <item>count(*): <c>{"QueryResponse":{"totalCount":5},"time":…}</c>;</item>
/// <item>a refused query, with HTTP 400: <c>{"Fault":{"Error":[{"Message":…,"Detail":…,"code":"4000","element":""}],"type":"ValidationFault"},"time":…}</c>.</item>
/// </list>
/// The caller passes the time (from its clock), so that the sandbox's moved clock shows.
/// </summary>
public static class QueryResponseBuilder
{
    public static JsonObject Build(QueryResult result, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(result);
        var answer = new JsonObject();
        if (result.IsCount)
        {
            answer["totalCount"] = result.TotalCount;
        }
        else if (result.Entities.Count > 0)
        {
            // Also when STARTPOSITION is past the last match: the page is empty, so the answer is. Whether QuickBooks
            // then still sends totalCount is unconfirmed.
            answer[result.Entity] = new JsonArray([.. result.Entities.Select(e => e.DeepClone())]);
            answer["startPosition"] = result.StartPosition;
            answer["maxResults"] = result.Entities.Count;
            answer["totalCount"] = result.TotalCount;
        }

        return new JsonObject { ["QueryResponse"] = answer, ["time"] = QuickBooksTime.Format(time) };
    }

    /// <summary>The Fault body for a refused query; send it with <see cref="QuickBooksQueryException.HttpStatus"/> (400).</summary>
    public static JsonObject Fault(QuickBooksQueryException error, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.ToFault().ToJson(time);
    }
}
