using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansSync.Api.HubSpot;
using OrleansSync.Api.Security;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.Webhooks;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.HubSpotApp;

/// <summary>
/// The check in front of the workflow action and the card: HubSpot's documented v2 vectors, v3, and the URL HubSpot
/// signed — behind a proxy, the public one (<c>Api:PublicBaseUrl</c>), not the one the request arrived at.
/// </summary>
public sealed class HubSpotSignatureFilterTests
{
    private const string Secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    [Fact]
    public async Task HubSpot_s_v2_example_passes_when_the_public_base_url_is_the_one_HubSpot_called()
    {
        var context = Request("GET", "/webhook_uri", "", ("X-HubSpot-Signature", "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"), ("X-HubSpot-Signature-Version", "v2"));

        Assert.True(await PassesAsync(context, publicBaseUrl: "https://www.example.com/"));
        Assert.False(await PassesAsync(Request("GET", "/webhook_uri", "", ("X-HubSpot-Signature", "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"), ("X-HubSpot-Signature-Version", "v2")), publicBaseUrl: null));
    }

    [Fact]
    public async Task A_v2_POST_signs_the_body_and_the_body_is_left_for_the_endpoint()
    {
        const string body = """{"example_field":"example_value"}""";
        var context = Request("POST", "/webhook_uri", body, ("X-HubSpot-Signature", "9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900"), ("X-HubSpot-Signature-Version", "v2"));

        Assert.True(await PassesAsync(context, publicBaseUrl: "https://www.example.com"));
        Assert.Equal(body, await new StreamReader(context.Request.Body).ReadToEndAsync());

        var changed = Request("POST", "/webhook_uri", """{"example_field":"other"}""", ("X-HubSpot-Signature", "9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900"), ("X-HubSpot-Signature-Version", "v2"));
        Assert.False(await PassesAsync(changed, publicBaseUrl: "https://www.example.com"));
    }

    [Fact]
    public async Task V3_passes_within_five_minutes_over_the_request_s_own_url_and_v1_never_does()
    {
        const string body = """{"example_field":"example_value"}""";
        var signature = HubSpotSignature.ComputeV3(Secret, "POST", "http://10.0.0.5:8080/hubspot/crm-card?portalId=1&b=2", Encoding.UTF8.GetBytes(body), Now.ToUnixTimeMilliseconds());
        var timestamp = Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(await PassesAsync(Request("POST", "/hubspot/crm-card?portalId=1&b=2", body, ("X-HubSpot-Signature-v3", signature), ("X-HubSpot-Request-Timestamp", timestamp)), publicBaseUrl: null));
        Assert.False(await PassesAsync(Request("POST", "/hubspot/crm-card?portalId=1&b=2", body, ("X-HubSpot-Signature-v3", signature), ("X-HubSpot-Request-Timestamp", timestamp)), publicBaseUrl: null, now: Now.AddMinutes(6)));
        Assert.False(await PassesAsync(Request("POST", "/hubspot/crm-card?portalId=1&b=2", body, ("X-HubSpot-Signature", HubSpotSignature.ComputeV1(Secret, Encoding.UTF8.GetBytes(body))), ("X-HubSpot-Signature-Version", "v1")), publicBaseUrl: null));
    }

    private static DefaultHttpContext Request(string method, string pathAndQuery, string body, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        var split = pathAndQuery.Split('?', 2);
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("10.0.0.5", 8080);
        context.Request.Path = split[0];
        context.Request.QueryString = split.Length > 1 ? new QueryString("?" + split[1]) : QueryString.Empty;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        context.Request.ContentLength = context.Request.Body.Length;
        foreach (var (name, value) in headers)
            context.Request.Headers[name] = value;
        return context;
    }

    private static async Task<bool> PassesAsync(DefaultHttpContext context, string? publicBaseUrl, DateTimeOffset? now = null)
    {
        var filter = new HubSpotSignatureFilter(
            Options.Create(new HubSpotOptions { ClientSecret = Secret }),
            Options.Create(new ApiOptions { PublicBaseUrl = publicBaseUrl is null ? null : new Uri(publicBaseUrl) }),
            new ManualTimeProvider(now ?? Now),
            NullLogger<HubSpotSignatureFilter>.Instance);
        var passed = false;
        var result = await filter.InvokeAsync(new DefaultEndpointFilterInvocationContext(context), _ =>
        {
            passed = true;
            return ValueTask.FromResult<object?>(Results.Ok());
        });
        Assert.True(passed || result is IStatusCodeHttpResult { StatusCode: 401 }, "a refusal is a 401");
        return passed;
    }
}
