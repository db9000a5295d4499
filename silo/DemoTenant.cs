using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansSync.Api.Security;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Silo;

/// <summary>
/// The demo tenant of the single-process default: once the silo listens, the demo HubSpot portal installs the app
/// and connects both demo QuickBooks companies — through the same OAuth redirects a person follows, against the
/// mounted sandbox — so that a first run has something to show. Off with <c>Sandbox__DemoTenant=false</c>.
/// </summary>
internal sealed partial class DemoTenant(SelfAddress self, IOptions<ApiOptions> apiOptions, IHostApplicationLifetime lifetime, ILogger<DemoTenant> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        await using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(stoppingToken);
        try
        {
            using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = self.Uri };
            var consent = await RedirectAsync(browser, "oauth/hubspot/install", stoppingToken);
            await FollowAsync(browser, await RedirectAsync(browser, $"{consent}&portalId={DemoData.PortalId}", stoppingToken), stoppingToken);

            foreach (var realmId in new[] { DemoData.UsRealmId, DemoData.UkRealmId })
            {
                using var connect = new HttpRequestMessage(HttpMethod.Post, $"api/tenants/{DemoData.PortalId}/accounts/quickbooks/connect");
                connect.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiOptions.Value.AdminKeys[0]);
                using var answer = await browser.SendAsync(connect, stoppingToken);
                answer.EnsureSuccessStatusCode();
                var start = await answer.Content.ReadFromJsonAsync<JsonElement>(stoppingToken);
                await FollowAsync(browser, await RedirectAsync(browser, $"{start.GetProperty("authorizationUrl").GetString()}&realmId={realmId}", stoppingToken), stoppingToken);
            }

            LogReady(DemoData.PortalId, DemoData.UsRealmId, DemoData.UkRealmId, self.Uri);
        }
        catch (Exception exception) when (exception is HttpRequestException or InvalidOperationException or JsonException)
        {
            LogFailed(exception);
        }
    }

    private static async Task<string> RedirectAsync(HttpClient browser, string url, CancellationToken cancellationToken)
    {
        using var response = await browser.GetAsync(url, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found) || response.Headers.Location is not { } location)
            throw new InvalidOperationException($"{url} answered {(int)response.StatusCode} instead of a redirect.");
        return location.ToString();
    }

    private static async Task FollowAsync(HttpClient browser, string callback, CancellationToken cancellationToken)
    {
        using var response = await browser.GetAsync(callback, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"The OAuth callback answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo tenant ready: HubSpot account {PortalId} with QuickBooks companies {UsRealm} (US) and {UkRealm} (UK). Try POST {Address}api/tenants/{PortalId}/deals/53001/invoices")]
    private partial void LogReady(long portalId, string usRealm, string ukRealm, Uri address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Setting up the demo tenant failed; install and connect by hand (see the README)")]
    private partial void LogFailed(Exception exception);
}

/// <summary>Where this process listens, as other code in it can call it.</summary>
internal sealed record SelfAddress(Uri Uri);
