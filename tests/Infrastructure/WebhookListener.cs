using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSync.Clients.Webhooks;

namespace OrleansSync.Tests.Infrastructure;

/// <summary>
/// A receiver of webhooks: a second in-process web app on a free port that records every request (full URL, headers,
/// body) and answers with the status <c>respond</c> picks for the n-th request (200 by default), after the delay
/// <c>delay</c> picks (none by default).
/// </summary>
internal sealed class WebhookListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;

    public sealed record Received(string Method, string Url, byte[] Body, IReadOnlyDictionary<string, string> Headers)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        /// <summary>The request as HubSpot signed it, with or without its v3 signature.</summary>
        public HubSpotSignedRequest HubSpotSigned(bool withV3) => new(Method, Url, Body,
            withV3 ? Headers.GetValueOrDefault(HubSpotSignature.SignatureV3Header) : null,
            Headers.GetValueOrDefault(HubSpotSignature.TimestampHeader),
            Headers.GetValueOrDefault(HubSpotSignature.SignatureHeader),
            Headers.GetValueOrDefault(HubSpotSignature.VersionHeader));
    }

    private WebhookListener(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>Every element of every request whose body is an array (HubSpot batches, CloudEvents), in arrival order.</summary>
    public IReadOnlyList<JsonElement> Events => [.. Requests.SelectMany(r => r.Json.EnumerateArray())];

    public static async Task<WebhookListener> StartAsync(Func<int, int>? respond = null, Func<int, TimeSpan>? delay = null)
    {
        var builder = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookListener? listener = null;
        app.MapPost("/webhooks", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var request = http.Request;
            var url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
            var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var index = Interlocked.Increment(ref listener!._count) - 1;
            listener.Requests.Enqueue(new Received(request.Method, url, buffer.ToArray(), headers));
            if (delay?.Invoke(index) is { } wait && wait > TimeSpan.Zero)
                await Task.Delay(wait);
            return Results.StatusCode(respond?.Invoke(index) ?? StatusCodes.Status200OK);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        listener = new WebhookListener(app, new Uri(new Uri(address), "/webhooks"));
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
