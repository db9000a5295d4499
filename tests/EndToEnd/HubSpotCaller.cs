using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansSync.Clients.Webhooks;

namespace OrleansSync.Tests.EndToEnd;

/// <summary>
/// HubSpot calling the product — the workflow action, the record card, its action hook — signed as HubSpot signs:
/// v3 (HMAC of method, URL, body and timestamp) by default, or v2, with the sandbox app's client secret.
/// </summary>
public sealed class HubSpotCaller(Uri api, string clientSecret = HubSpotCaller.SandboxClientSecret)
{
    public const string SandboxClientSecret = "sandbox-hubspot-client-secret";

    public enum Signing { V3, V2, None, WrongSecret, Stale }

    public Task<HttpResponseMessage> PostAsync(string pathAndQuery, object body, Signing signing = Signing.V3)
        => SendAsync(HttpMethod.Post, pathAndQuery, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)), signing);

    public Task<HttpResponseMessage> GetAsync(string pathAndQuery, Signing signing = Signing.V3)
        => SendAsync(HttpMethod.Get, pathAndQuery, [], signing);

    /// <summary>An execution of "Create QuickBooks invoice" for a deal, as HubSpot's workflows send it.</summary>
    public static object Execution(string callbackId, string dealId, object inputFields) => new
    {
        callbackId,
        origin = new { portalId = Product.PortalId, actionDefinitionId = 191_417, actionDefinitionVersion = 3 },
        context = new { source = "WORKFLOWS", workflowId = 4_201_337 },
        @object = new { objectId = long.Parse(dealId, CultureInfo.InvariantCulture), objectType = "DEAL", properties = new { } },
        inputFields,
    };

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, byte[] body, Signing signing)
    {
        var uri = new Uri(api, pathAndQuery);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, uri);
        if (method != HttpMethod.Get)
            request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

        var now = DateTimeOffset.UtcNow;
        switch (signing)
        {
            case Signing.V2:
                request.Headers.Add(HubSpotSignature.SignatureHeader, HubSpotSignature.ComputeV2(clientSecret, method.Method, uri.AbsoluteUri, body));
                request.Headers.Add(HubSpotSignature.VersionHeader, "v2");
                break;
            case Signing.V3 or Signing.WrongSecret or Signing.Stale:
                var at = (signing == Signing.Stale ? now.AddMinutes(-6) : now).ToUnixTimeMilliseconds();
                var secret = signing == Signing.WrongSecret ? "not-the-app-secret" : clientSecret;
                request.Headers.Add(HubSpotSignature.SignatureV3Header, HubSpotSignature.ComputeV3(secret, method.Method, uri.AbsoluteUri, body, at));
                request.Headers.Add(HubSpotSignature.TimestampHeader, at.ToString(CultureInfo.InvariantCulture));
                break;
        }

        return await http.SendAsync(request);
    }
}
