using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using OrleansSync.Clients.QuickBooks.Model;

namespace OrleansSync.Clients.QuickBooks;

/// <summary>One error of a QuickBooks Fault.</summary>
public sealed record QuickBooksError(string? Code, string? Message, string? Detail, string? Element);

/// <summary>
/// QuickBooks refused a request. Carries the Fault's type and errors (code, message, detail) as QuickBooks sent them,
/// and the <c>intuit_tid</c> Intuit's support asks for.
/// </summary>
public class QuickBooksException : Exception
{
    public QuickBooksException(string message, HttpStatusCode? statusCode = null, string? faultType = null, IReadOnlyList<QuickBooksError>? errors = null, string? intuitTid = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        FaultType = faultType;
        Errors = errors ?? [];
        IntuitTid = intuitTid;
    }

    public HttpStatusCode? StatusCode { get; }

    /// <summary>ValidationFault, ServiceFault, AuthenticationFault, AuthorizationFault, AUTHENTICATION, SERVICE, …</summary>
    public string? FaultType { get; }

    public IReadOnlyList<QuickBooksError> Errors { get; }

    public string? IntuitTid { get; }

    /// <summary>The first error's code, e.g. "5010" or "6240".</summary>
    public string? Code => Errors.FirstOrDefault()?.Code;

    public bool HasCode(string code) => Errors.Any(e => e.Code == code);
}

/// <summary>5010: the SyncToken sent is not the latest; someone changed the object since it was read.</summary>
public sealed class QuickBooksStaleObjectException(string message, HttpStatusCode? status, string? faultType, IReadOnlyList<QuickBooksError> errors, string? tid)
    : QuickBooksException(message, status, faultType, errors, tid)
{
    public const string FaultCode = "5010";
}

/// <summary>6240: the display name is taken — by a customer, a vendor or an employee.</summary>
public sealed class QuickBooksDuplicateNameException(string message, HttpStatusCode? status, string? faultType, IReadOnlyList<QuickBooksError> errors, string? tid)
    : QuickBooksException(message, status, faultType, errors, tid)
{
    public const string FaultCode = "6240";
}

/// <summary>401 after a refresh: the connection is broken (revoked, or the refresh token expired).</summary>
public sealed class QuickBooksAuthenticationException(string message, HttpStatusCode? status, string? faultType, IReadOnlyList<QuickBooksError> errors, string? tid)
    : QuickBooksException(message, status, faultType, errors, tid);

/// <summary>429 still, after the retries.</summary>
public sealed class QuickBooksThrottledException(string message, HttpStatusCode? status, string? faultType, IReadOnlyList<QuickBooksError> errors, string? tid)
    : QuickBooksException(message, status, faultType, errors, tid);

/// <summary>QuickBooks could not be reached or kept failing (5xx, timeouts) after the retries.</summary>
public sealed class QuickBooksUnavailableException(string message, HttpStatusCode? status = null, Exception? innerException = null)
    : QuickBooksException(message, status, innerException: innerException);

/// <summary>Reads Faults in the shapes QuickBooks sends: the documented JSON, the lowercase 401 JSON, and XML.</summary>
internal static class QuickBooksFaults
{
    public static QuickBooksException FromResponse(HttpStatusCode status, byte[] body, string? intuitTid, string operation)
    {
        var (type, errors) = Parse(body);
        var summary = errors.Count == 0
            ? $"{operation} failed with HTTP {(int)status}."
            : $"{operation} failed with HTTP {(int)status}: " + string.Join("; ", errors.Select(e => $"{e.Code} {e.Message}{(string.IsNullOrEmpty(e.Detail) ? "" : $" ({e.Detail})")}"));
        return Create(summary, status, type, errors, intuitTid);
    }

    public static QuickBooksException FromFault(FaultBody fault, HttpStatusCode? status, string? intuitTid, string operation)
    {
        var errors = Errors(fault);
        var summary = $"{operation} failed: " + string.Join("; ", errors.Select(e => $"{e.Code} {e.Message}{(string.IsNullOrEmpty(e.Detail) ? "" : $" ({e.Detail})")}"));
        return Create(summary, status, fault.Type, errors, intuitTid);
    }

    private static QuickBooksException Create(string message, HttpStatusCode? status, string? type, IReadOnlyList<QuickBooksError> errors, string? tid)
    {
        if (errors.Any(e => e.Code == QuickBooksStaleObjectException.FaultCode))
            return new QuickBooksStaleObjectException(message, status, type, errors, tid);
        if (errors.Any(e => e.Code == QuickBooksDuplicateNameException.FaultCode))
            return new QuickBooksDuplicateNameException(message, status, type, errors, tid);
        return status switch
        {
            HttpStatusCode.Unauthorized => new QuickBooksAuthenticationException(message, status, type, errors, tid),
            HttpStatusCode.TooManyRequests => new QuickBooksThrottledException(message, status, type, errors, tid),
            >= HttpStatusCode.InternalServerError => new QuickBooksUnavailableException(message, status),
            _ => new QuickBooksException(message, status, type, errors, tid),
        };
    }

    /// <summary>The Fault in a body, if it holds one.</summary>
    public static FaultBody? FindFault(JsonElement root)
        => root.ValueKind == JsonValueKind.Object && TryGetProperty(root, "Fault", out var fault)
            ? fault.Deserialize(QuickBooksJsonContext.Default.FaultBody)
            : null;

    private static (string? Type, IReadOnlyList<QuickBooksError> Errors) Parse(byte[] body)
    {
        if (body.Length == 0)
            return (null, []);
        if (body[0] == (byte)'<')
            return ParseXml(body);
        try
        {
            using var document = JsonDocument.Parse(body);
            return FindFault(document.RootElement) is { } fault ? (fault.Type, Errors(fault)) : (null, []);
        }
        catch (JsonException)
        {
            return (null, []);
        }
    }

    private static IReadOnlyList<QuickBooksError> Errors(FaultBody fault)
        => fault.Error?.Select(e => new QuickBooksError(e.Code, e.Message, e.Detail, e.Element)).ToList() ?? [];

    // Throttling answers have come back as XML even when JSON was asked for.
    private static (string? Type, IReadOnlyList<QuickBooksError> Errors) ParseXml(byte[] body)
    {
        try
        {
            var root = XDocument.Parse(System.Text.Encoding.UTF8.GetString(body)).Root!;
            var fault = root.Name.LocalName == "Fault" ? root : root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Fault");
            if (fault is null)
                return (null, []);
            var errors = fault.Elements().Where(e => e.Name.LocalName == "Error")
                .Select(e => new QuickBooksError(
                    (string?)e.Attribute("code"),
                    e.Elements().FirstOrDefault(x => x.Name.LocalName == "Message")?.Value,
                    e.Elements().FirstOrDefault(x => x.Name.LocalName == "Detail")?.Value,
                    (string?)e.Attribute("element")))
                .ToList();
            return ((string?)fault.Attribute("type"), errors);
        }
        catch (System.Xml.XmlException)
        {
            return (null, []);
        }
    }

    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
