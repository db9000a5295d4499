using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace OrleansSync.Dashboard.Assets;

/// <summary>
/// The page and its CSS, scripts and images: every file of <c>dashboard/wwwroot/</c>, embedded in this assembly at
/// build time and read into memory once. Served with an ETag (a browser asks again and gets 304 while unchanged) and
/// <c>Cache-Control: no-cache</c>, so a new build is picked up at the next load, never a stale mix.
/// </summary>
internal sealed class DashboardAssets
{
    private const string ResourcePrefix = "dashboard/wwwroot/";

    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var types = new FileExtensionContentTypeProvider();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            // On Windows the build names embedded files with backslashes.
            var path = resource.Replace('\\', '/');
            if (!path.StartsWith(ResourcePrefix, StringComparison.Ordinal))
                continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var relative = path[ResourcePrefix.Length..];
            var contentType = types.TryGetContentType(relative, out var known) ? known : "application/octet-stream";
            if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType is "application/javascript" or "text/javascript" or "application/json")
                contentType += "; charset=utf-8";
            _assets[relative] = new Asset(bytes, contentType, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
        }
    }

    public const string IndexFile = "index.html";

    public IEnumerable<string> Paths => _assets.Keys;

    /// <summary>
    /// Answers the file at <paramref name="path"/> (relative to wwwroot), or 404. With another status than 200 (the page
    /// refusing a wrong key, say) it is sent whole and not kept.
    /// </summary>
    public IResult Serve(HttpContext context, string path, int statusCode = StatusCodes.Status200OK)
    {
        if (!_assets.TryGetValue(path, out var asset))
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such file", detail: $"The dashboard has no file '{path}'.");
        return new AssetResult(asset, statusCode);
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private sealed class AssetResult(Asset asset, int statusCode) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            if (statusCode != StatusCodes.Status200OK)
            {
                response.Headers.CacheControl = "no-store";
            }
            else
            {
                response.Headers.ETag = asset.ETag;
                response.Headers.CacheControl = "no-cache";
                if (httpContext.Request.Headers.IfNoneMatch.Contains(asset.ETag))
                {
                    response.StatusCode = StatusCodes.Status304NotModified;
                    return Task.CompletedTask;
                }
            }

            response.StatusCode = statusCode;
            response.ContentType = asset.ContentType;
            response.ContentLength = asset.Bytes.Length;
            return HttpMethods.IsHead(httpContext.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Bytes, httpContext.RequestAborted).AsTask();
        }
    }
}
