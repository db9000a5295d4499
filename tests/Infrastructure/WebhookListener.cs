using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OrleansSync.Clients.Webhooks;

namespace OrleansSync.Tests.Infrastructure;

/// <summary>
/// A receiver of webhooks: a second in-process web app on a free port that records every request (full URL, headers,
/// body) and answers with the status <c>respond</c> picks for the n-th request (200 by default), after the delay
/// <c>delay</c> picks (none by default).
/// </summary>
internal sealed class WebhookListener : IAsyncDisposable
{
    private readonly RunningApp _app;
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

    private WebhookListener(RunningApp app, Uri url)
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
        WebhookListener? listener = null;
        var running = await RunningApp.StartAsync((args, configure) =>
        {
            var builder = WebApplication.CreateBuilder(args);
            configure?.Invoke(builder);
            var app = builder.Build();
            app.MapPost("/webhooks", http => listener!.ReceiveAsync(http, respond, delay));
            return app;
        }, []);
        listener = new WebhookListener(running, new Uri(running.Address, "webhooks"));
        return listener;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task ReceiveAsync(HttpContext http, Func<int, int>? respond, Func<int, TimeSpan>? delay)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var request = http.Request;
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var index = Interlocked.Increment(ref _count) - 1;
        Requests.Enqueue(new Received(request.Method, url, buffer.ToArray(), headers));
        if (delay?.Invoke(index) is { } wait && wait > TimeSpan.Zero)
            await Task.Delay(wait);
        http.Response.StatusCode = respond?.Invoke(index) ?? StatusCodes.Status200OK;
    }
}
