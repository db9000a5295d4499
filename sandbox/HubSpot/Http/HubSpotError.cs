namespace OrleansSync.Sandbox.HubSpot;

/// <summary>One entry of an error's <c>errors</c> list.</summary>
public sealed record HubSpotErrorDetail(
    string Message,
    string? Code = null,
    string? In = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Context = null);

/// <summary>
/// A refusal in HubSpot's words: the status code and the fields of its error body
/// (<c>{status:"error", message, correlationId, category, subCategory?, context?, errors?}</c>). Every bad input the
/// sandbox sees ends up as one of these, never as a 500.
/// </summary>
public sealed record HubSpotError(
    int StatusCode,
    string Message,
    string Category,
    string? SubCategory = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Context = null,
    IReadOnlyList<HubSpotErrorDetail>? Errors = null)
{
    public const string ValidationError = "VALIDATION_ERROR";
    public const string ObjectNotFound = "OBJECT_NOT_FOUND";
    public const string Conflict = "CONFLICT";

    public static HubSpotError Validation(string message, IReadOnlyList<HubSpotErrorDetail>? errors = null)
        => new(StatusCodes.Status400BadRequest, message, ValidationError, Errors: errors);

    /// <summary>HubSpot's API is Java behind the scenes; malformed bodies come back in its parser's words.</summary>
    public static HubSpotError InvalidJson(string problem)
        => Validation($"Invalid input JSON on line 1, column 1: {problem}");

    public static HubSpotError NotFound(string message, IReadOnlyDictionary<string, IReadOnlyList<string>>? context = null)
        => new(StatusCodes.Status404NotFound, message, ObjectNotFound, Context: context);

    /// <summary>What HubSpot says when a path names an object type it does not know.</summary>
    public static HubSpotError UnknownObjectType(string objectType)
        => Validation($"Unable to infer object type from: {objectType}");

    /// <summary>A read of a record that does not exist (or is archived); HubSpot hints at non-numeric ids.</summary>
    public static HubSpotError ObjectMissing(string id)
        => NotFound(
            long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _) ? "resource not found" : "Object not found.  objectId are usually numeric.",
            new Dictionary<string, IReadOnlyList<string>> { ["id"] = [id] });

    public static HubSpotError BatchTooLarge(int given, int limit)
        => Validation($"The maximum number of inputs supported in a batch request is {limit}. Please reduce the number of items and try again ({given} given).");

    public IResult ToResult() => TypedResults.Json(
        new HubSpotErrorBody("error", Message, CorrelationIds.New(), Category, SubCategory, Context, Errors),
        HubSpotJson.Context.HubSpotErrorBody,
        statusCode: StatusCode);

    /// <summary>The same refusal as problem details, for the admin endpoints (which act as people do, not as the API).</summary>
    public IResult ToProblem() => TypedResults.Problem(statusCode: StatusCode, title: Category, detail: Message);
}

/// <summary>The JSON of <see cref="HubSpotError"/>.</summary>
public sealed record HubSpotErrorBody(
    string Status,
    string Message,
    string CorrelationId,
    string Category,
    string? SubCategory,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Context,
    IReadOnlyList<HubSpotErrorDetail>? Errors);

public static class CorrelationIds
{
    public static string New() => Guid.NewGuid().ToString();
}
