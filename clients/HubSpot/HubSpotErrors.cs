using System.Net;
using System.Text.Json;
using OrleansSync.Clients.HubSpot.Model;

namespace OrleansSync.Clients.HubSpot;

/// <summary>HubSpot refused a request: its category (VALIDATION_ERROR, OBJECT_NOT_FOUND, …), message and correlation id.</summary>
public class HubSpotException : Exception
{
    public HubSpotException(string message, HttpStatusCode? statusCode = null, HubSpotErrorBody? body = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Body = body;
    }

    public HttpStatusCode? StatusCode { get; }

    public HubSpotErrorBody? Body { get; }

    public string? Category => Body?.Category;

    public string? CorrelationId => Body?.CorrelationId;

    public IReadOnlyList<HubSpotErrorDetail> Errors => Body?.Errors ?? [];
}

/// <summary>404: the record does not exist (or was archived).</summary>
public sealed class HubSpotNotFoundException(string message, HttpStatusCode? status, HubSpotErrorBody? body)
    : HubSpotException(message, status, body);

/// <summary>401 after a refresh: the install is broken (uninstalled, or its refresh token revoked).</summary>
public sealed class HubSpotAuthenticationException(string message, HttpStatusCode? status, HubSpotErrorBody? body)
    : HubSpotException(message, status, body);

/// <summary>
/// 429. <see cref="IsDaily"/>: the account's daily budget is spent — nothing helps until midnight in its time zone,
/// so the request is not retried and the caller reports it.
/// </summary>
public sealed class HubSpotRateLimitException(string message, HttpStatusCode? status, HubSpotErrorBody? body)
    : HubSpotException(message, status, body)
{
    public string? PolicyName => Body?.PolicyName;

    public bool IsDaily => PolicyName == "DAILY";
}

/// <summary>HubSpot could not be reached or kept failing (5xx, timeouts) after the retries.</summary>
public sealed class HubSpotUnavailableException(string message, HttpStatusCode? status = null, Exception? innerException = null)
    : HubSpotException(message, status, null, innerException);

internal static class HubSpotErrors
{
    public static HubSpotErrorBody? Parse(byte[] body)
    {
        if (body.Length == 0 || body[0] != (byte)'{')
            return null;
        try
        {
            return JsonSerializer.Deserialize(body, HubSpotJsonContext.Default.HubSpotErrorBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static HubSpotException FromResponse(HttpStatusCode status, byte[] body, string operation)
    {
        var error = Parse(body);
        var message = $"{operation} failed with HTTP {(int)status}" + (error is null ? "." : $": {error.Category ?? error.Status} {error.Message}");
        return status switch
        {
            HttpStatusCode.NotFound => new HubSpotNotFoundException(message, status, error),
            HttpStatusCode.Unauthorized => new HubSpotAuthenticationException(message, status, error),
            HttpStatusCode.TooManyRequests => new HubSpotRateLimitException(message, status, error),
            >= HttpStatusCode.InternalServerError => new HubSpotUnavailableException(message, status),
            _ => new HubSpotException(message, status, error),
        };
    }
}
