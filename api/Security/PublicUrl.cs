namespace OrleansSync.Api.Security;

/// <summary>
/// The URL a caller used to reach us — what HubSpot signs (v2, v3): <c>Api:PublicBaseUrl</c> when the api sits behind
/// a proxy that changes host or scheme, else the request's own scheme and host; then the path and query as sent.
/// </summary>
public static class PublicUrl
{
    public static string Of(HttpRequest request, ApiOptions options)
    {
        var root = options.PublicBaseUrl is { } configured
            ? configured.GetLeftPart(UriPartial.Authority) + configured.AbsolutePath.TrimEnd('/')
            : $"{request.Scheme}://{request.Host}{request.PathBase}";
        return root + request.Path + request.QueryString;
    }
}
