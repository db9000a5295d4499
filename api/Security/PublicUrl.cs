namespace OrleansSync.Api.Security;

/// <summary>
/// The URL a caller used to reach us — what HubSpot signs (v2, v3). Behind a proxy that URL is not the one this
/// process sees, so it is rebuilt from <c>Api:PublicBaseUrl</c> when that is set, else from the request.
/// </summary>
public static class PublicUrl
{
    /// <summary>The full URL of the request as the caller sent it: root, path and query.</summary>
    public static string Of(HttpRequest request, Uri? publicBaseUrl)
        => Root(request, publicBaseUrl) + request.Path.ToUriComponent() + request.QueryString.ToUriComponent();

    /// <summary>Where people and HubSpot reach this api: <c>Api:PublicBaseUrl</c>, or the request's own scheme, host and base path.</summary>
    public static string Root(HttpRequest request, Uri? publicBaseUrl)
        => publicBaseUrl is not null
            ? publicBaseUrl.AbsoluteUri.TrimEnd('/')
            : $"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}";
}
