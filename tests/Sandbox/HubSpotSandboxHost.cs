using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Sandbox.Common;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Sandbox;

/// <summary>
/// The sandbox started in-process on a free port, as a user runs it, with HTTP clients for the HubSpot paths: anonymous
/// (OAuth, admin) and authenticated with a bearer token of a portal.
/// </summary>
internal sealed class HubSpotSandboxHost : IAsyncDisposable
{
    public const string ClientId = "sandbox-hubspot-client-id";
    public const string ClientSecret = "sandbox-hubspot-client-secret";

    private readonly List<HttpClient> _clients = [];

    private HubSpotSandboxHost(RunningApp app)
    {
        App = app;
        Anonymous = Client();
    }

    public RunningApp App { get; }

    public Uri Address => App.Address;

    /// <summary>No token: for OAuth and the admin endpoints. Paths are relative to <c>/sandbox/hubspot/</c>.</summary>
    public HttpClient Anonymous { get; }

    public SandboxClock Clock => App.Services.GetRequiredService<SandboxClock>();

    public static async Task<HubSpotSandboxHost> StartAsync(params string[] args)
        => new(await RunningApp.StartAsync(global::OrleansSync.Sandbox.Program.CreateApp, args));

    /// <summary>A client for a portal's API, with a token from the admin shortcut.</summary>
    public async Task<HttpClient> ApiAsync(long portalId = DemoData.PortalId)
        => WithToken(await TokenAsync(portalId));

    public async Task<string> TokenAsync(long portalId = DemoData.PortalId)
    {
        var response = await Anonymous.PostAsync($"admin/portals/{portalId}/tokens", null);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    public HttpClient WithToken(string token)
    {
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient Client(bool followRedirects = true)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = followRedirects }) { BaseAddress = new Uri(Address, "/sandbox/hubspot/") };
        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            client.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>Small helpers for talking JSON to the sandbox.</summary>
internal static class SandboxHttp
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string path, string json) => http.PostAsync(path, Json(json));

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient http, string path, string json) => http.PatchAsync(path, Json(json));

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient http, string path, string json) => http.PutAsync(path, Json(json));

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task<JsonElement> GetJsonAsync(this HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    public static string? Property(this JsonElement record, string name)
        => record.GetProperty("properties").TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Asserts HubSpot's error body: status "error", a correlation id, the category, and returns the message.</summary>
    public static async Task<string> AssertHubSpotErrorAsync(this HttpResponseMessage response, int statusCode, string category)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == statusCode, $"expected {statusCode}, got {(int)response.StatusCode}: {text}");
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Equal(category, body.GetProperty("category").GetString());
        Assert.True(Guid.TryParse(body.GetProperty("correlationId").GetString(), out _), text);
        return body.GetProperty("message").GetString()!;
    }
}
