using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Grains.Credentials;
using OrleansSync.GrainInterfaces;

namespace OrleansSync.Grains.Common;

/// <summary>
/// Turns what HubSpot and QuickBooks answered into problems a user can act on: a broken connection is a conflict to
/// repair, a refusal of what we sent is unprocessable (with QuickBooks' own words), and an outage is a bad gateway.
/// Anything else is a bug and stays an exception.
/// </summary>
public static class Upstream
{
    public static bool IsUpstream(Exception exception)
        => exception is ConnectionUnavailableException or QuickBooksException or HubSpotException;

    public static Problem ToProblem(Exception exception, string doing) => exception switch
    {
        ConnectionUnavailableException { Retryable: true } unreachable => Problem.Upstream("Connection unavailable", $"{doing}: {unreachable.Message}"),
        ConnectionUnavailableException broken => Problem.Conflict("Connection needs repair", $"{doing}: {broken.Message}"),
        QuickBooksAuthenticationException refused => Problem.Conflict("Connection needs repair", $"{doing}: QuickBooks refused our tokens even after a refresh ({refused.Message}). Connect the company again."),
        QuickBooksUnavailableException or QuickBooksThrottledException => Problem.Upstream("QuickBooks unavailable", $"{doing}: {exception.Message}"),
        QuickBooksException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError } failed => Problem.Upstream("QuickBooks failed", $"{doing}: {Describe(failed)}"),
        QuickBooksException refused => Problem.Unprocessable("QuickBooks refused", $"{doing}: {Describe(refused)}"),
        HubSpotNotFoundException missing => Problem.NotFound("Not found in HubSpot", $"{doing}: {missing.Message}"),
        HubSpotUnavailableException or HubSpotRateLimitException => Problem.Upstream("HubSpot unavailable", $"{doing}: {exception.Message}"),
        HubSpotException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError } failed => Problem.Upstream("HubSpot failed", $"{doing}: {failed.Message}"),
        HubSpotAuthenticationException refused => Problem.Conflict("Connection needs repair", $"{doing}: HubSpot refused our tokens even after a refresh ({refused.Message}). Install the app again."),
        HubSpotException refused => Problem.Unprocessable("HubSpot refused", $"{doing}: {refused.Message}"),
        _ => throw new ArgumentException("Not an upstream failure.", nameof(exception), exception),
    };

    /// <summary>QuickBooks' code, message and detail, which say what to fix.</summary>
    public static string Describe(QuickBooksException exception)
        => exception.Errors.FirstOrDefault() is { } error
            ? $"QuickBooks error {error.Code}: {error.Message}{(string.IsNullOrEmpty(error.Detail) ? "" : $" — {error.Detail}")}"
            : exception.Message;
}
