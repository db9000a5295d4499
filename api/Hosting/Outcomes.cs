using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OrleansSync.GrainInterfaces;

namespace OrleansSync.Api.Hosting;

/// <summary>Answers from grain outcomes: the value, or the problem as RFC 7807 problem details with the right status.</summary>
internal static class Outcomes
{
    public static IResult ToResult<T>(this Outcome<T> outcome, Func<T, IResult> succeeded)
        => outcome.Problem is { } problem ? problem.ToResult() : succeeded(outcome.Value!);

    public static IResult ToResult(this Problem problem) => Results.Problem(
        statusCode: problem.StatusCode(),
        title: problem.Title,
        detail: problem.Detail,
        extensions: problem.Items is { Count: > 0 } items ? new Dictionary<string, object?> { ["items"] = items } : null);

    public static int StatusCode(this Problem problem) => problem.Kind switch
    {
        ProblemKind.BadRequest => StatusCodes.Status400BadRequest,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        ProblemKind.Upstream => StatusCodes.Status502BadGateway,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static IResult BadRequest(string title, string detail) => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    /// <summary>
    /// Reads a JSON body, answering a problem that says what is wrong with it — where the JSON breaks, which field has
    /// the wrong type — rather than the framework's bare 400.
    /// </summary>
    public static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (request.ContentLength == 0)
            return (null, BadRequest("Body missing", "Send a JSON body."));
        if (request.ContentType is { } contentType && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return (null, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Not JSON", detail: $"The body must be application/json, not {contentType}."));
        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, request.HttpContext.RequestAborted);
            return value is null ? (null, BadRequest("Body missing", "The body is null; send a JSON object.")) : (value, null);
        }
        catch (JsonException exception)
        {
            var where = exception.Path is { Length: > 0 } path ? $" at {path}" : "";
            return (null, BadRequest("Malformed JSON", $"The body is not the JSON expected{where}: {exception.Message}"));
        }
    }
}
