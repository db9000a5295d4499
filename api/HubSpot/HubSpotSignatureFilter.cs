using Microsoft.Extensions.Options;
using OrleansSync.Api.Security;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.Webhooks;

namespace OrleansSync.Api.HubSpot;

/// <summary>
/// Lets through only requests HubSpot signed with the app's client secret (<c>HubSpot:ClientSecret</c>): v3
/// (<c>X-HubSpot-Signature-v3</c> with <c>X-HubSpot-Request-Timestamp</c>, at most five minutes old) or v2
/// (<c>X-HubSpot-Signature</c>, version v2) — what workflow actions and CRM cards carry. Anything else is a 401
/// problem, and the endpoint does nothing. The body is read here and rewound for the endpoint.
/// </summary>
/// <remarks>
/// HubSpot signs the full URL it called. Behind a proxy that URL is not the one this process sees, so it is rebuilt
/// from <c>Api:PublicBaseUrl</c> when that is set, and from the request (scheme, host, path, query) otherwise.
/// </remarks>
internal sealed partial class HubSpotSignatureFilter(
    IOptions<HubSpotOptions> hubSpot,
    IOptions<ApiOptions> api,
    TimeProvider time,
    ILogger<HubSpotSignatureFilter> logger) : IEndpointFilter
{
    /// <summary>HubSpot's requests are small; a larger body is not one of them.</summary>
    private const int MaxBodyBytes = 1024 * 1024;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (request.ContentLength > MaxBodyBytes)
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: $"HubSpot's requests are under {MaxBodyBytes} bytes.");

        request.EnableBuffering();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.HttpContext.RequestAborted);
        request.Body.Position = 0;
        if (body.Length > MaxBodyBytes)
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large", detail: $"HubSpot's requests are under {MaxBodyBytes} bytes.");

        var secret = hubSpot.Value.ClientSecret;
        if (string.IsNullOrEmpty(secret))
        {
            LogNoSecret();
            return Unauthorized("HubSpot:ClientSecret is not configured here, so no HubSpot signature can be checked.");
        }

        var uri = PublicUrl.Of(request, api.Value.PublicBaseUrl);
        var headers = request.Headers;
        var check = HubSpotSignature.Check(
            new HubSpotSignedRequest(
                request.Method,
                uri,
                body.ToArray(),
                headers[HubSpotSignature.SignatureV3Header].ToString(),
                headers[HubSpotSignature.TimestampHeader].ToString(),
                headers[HubSpotSignature.SignatureHeader].ToString(),
                headers[HubSpotSignature.VersionHeader].ToString()),
            secret,
            time.GetUtcNow(),
            "v2");
        if (check == HubSpotSignatureCheck.Valid)
            return await next(context);

        LogRefused(request.Method, uri, check);
        return Unauthorized(check switch
        {
            HubSpotSignatureCheck.Missing => $"This endpoint answers HubSpot only: send {HubSpotSignature.SignatureV3Header} with {HubSpotSignature.TimestampHeader}, or {HubSpotSignature.SignatureHeader} version v2, made with the app's client secret.",
            HubSpotSignatureCheck.Expired => $"{HubSpotSignature.TimestampHeader} is more than {HubSpotSignature.MaxAge.TotalMinutes:0} minutes from now: the request may be a replay.",
            _ => $"The signature does not match {request.Method} {uri} signed with the app's client secret (v3, or v2).",
        });
    }

    /// <summary>The URL HubSpot called, as it signed it: where the api is reached, then the path and the query as sent.</summary>
    private static IResult Unauthorized(string detail)
        => Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "HubSpot signature required", detail: detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} {Uri}: HubSpot signature {Check}")]
    private partial void LogRefused(string method, string uri, HubSpotSignatureCheck check);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HubSpot:ClientSecret is not set: every request HubSpot signs is refused")]
    private partial void LogNoSecret();
}
