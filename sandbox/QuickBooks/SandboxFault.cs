using System.Globalization;
using System.Text.Json.Nodes;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>
/// An error answered the way QuickBooks answers it: an HTTP status and the documented envelope
/// <c>{"Fault":{"Error":[{"Message","Detail","code","element"}],"type"},"time"}</c>.
/// </summary>
internal sealed class SandboxFault(int status, string type, string code, string message, string? detail = null, string? element = null) : Exception(message)
{
    public int Status { get; } = status;

    public string Type { get; } = type;

    public string Code { get; } = code;

    public string? Detail { get; } = detail;

    public string? Element { get; } = element;

    public JsonObject ToJson(DateTimeOffset time) => new()
    {
        ["Fault"] = new JsonObject
        {
            ["Error"] = new JsonArray(new JsonObject
            {
                ["Message"] = Message,
                ["Detail"] = Detail,
                ["code"] = Code,
                ["element"] = Element ?? "",
            }),
            ["type"] = Type,
        },
        ["time"] = QuickBooksTime.Format(time),
    };

    // The faults the sandbox raises, with QuickBooks' codes and wording (QUICKBOOKS-API.md §2).

    public static SandboxFault StaleObject(string entity, string id)
        // Intuit documents the fault, not its HTTP status; 400 is what it answers for other validation faults.
        => new(400, "ValidationFault", "5010", "Stale Object Error",
            $"Stale Object Error : You and root were working on this at the same time. root finished before you did, so your work was not saved. ({entity} {id})");

    public static SandboxFault DuplicateName(string name)
        => new(400, "ValidationFault", "6240", "Duplicate Name Exists Error",
            $"The name supplied already exists. : Another customer, vendor or employee is already using this name ({name}). Please use a different name.");

    public static SandboxFault ObjectNotFound(string entity, string id)
        => new(400, "ValidationFault", "610", "Object Not Found",
            $"Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. ({entity} {id})");

    public static SandboxFault InvalidReference(string element, string id)
        => new(400, "ValidationFault", "2500", "Invalid Reference Id", $"Invalid Reference Id : {element} assigned to this transaction has been deleted or does not exist ({id}).", element);

    public static SandboxFault RequiredMissing(string element, string detail)
        => new(400, "ValidationFault", "2020", "Required param missing, need to supply the required value for the API", detail, element);

    public static SandboxFault BusinessValidation(string detail, string? element = null)
        => new(400, "ValidationFault", "6000", "A business validation error has occurred while processing your request", $"Business Validation Error: {detail}", element);

    public static SandboxFault Unsupported(string detail)
        => new(400, "ValidationFault", "500", "Unsupported Operation", detail);

    public static SandboxFault Malformed(string detail)
        => new(400, "ValidationFault", "2010", "Request has invalid or unsupported property", $"Property Name:{detail} specified is unsupported or invalid");

    public static SandboxFault NotFound(string detail) => new(404, "ValidationFault", "610", "Object Not Found", detail);

    public static SandboxFault ServerError()
        => new(500, "SystemFault", "10000", "An application error has occurred while processing your request", "System Failure Error: An unknown Error was thrown");
}

/// <summary>
/// JSON as QuickBooks writes it: characters such as '+' and '&lt;' as themselves rather than \u escapes (which
/// System.Text.Json uses by default, and readers would accept, but a person reading the sandbox would not expect).
/// </summary>
internal static class QuickBooksJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(JsonNode node) => node.ToJsonString(Options);
}

/// <summary>QuickBooks writes times in the company's time zone, with milliseconds and the offset.</summary>
internal static class QuickBooksTime
{
    /// <summary>"2015-07-24T10:33:39.11-07:00": milliseconds without trailing zeros.</summary>
    public static string Format(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFzzz", CultureInfo.InvariantCulture);

    public static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
