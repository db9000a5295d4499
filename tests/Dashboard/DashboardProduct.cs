using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Sandbox.Common;
using OrleansSync.Tests.EndToEnd;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Dashboard;

/// <summary>
/// The single-process default as <see cref="SingleProcessProduct"/> runs it, with a dashboard user; HubSpot's and
/// QuickBooks' clients giving up after one retry, and the inbox after two attempts: tests here make HubSpot and
/// QuickBooks fail on purpose, and want the failure — a failing write, a dead letter — shown soon. Companies resync
/// only when asked (or once an hour), so that what a test sees repaired was repaired by what it did.
/// </summary>
public sealed class DashboardProduct : Product
{
    public const string User = "ada";
    public const string Password = "correct-horse-battery";

    private RunningApp? _silo;

    public override Uri Api => _silo!.Address;

    public override Uri Sandbox => _silo!.Address;

    public override SandboxClock Clock => _silo!.Services.GetRequiredService<SandboxClock>();

    public IServiceProvider Services => _silo!.Services;

    /// <summary>A client of the dashboard's JSON endpoints, with the operator key.</summary>
    public HttpClient Dashboard()
    {
        var client = new HttpClient { BaseAddress = new Uri(Api, "dashboard/api/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    /// <summary>HubSpot answers every request with a 500 (or stops doing so).</summary>
    public async Task SetHubSpotFailingAsync(bool failing)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(Sandbox, "sandbox/hubspot/admin/") };
        await OkJsonAsync(await admin.PutAsJsonAsync("faults", new { serverErrorRate = failing ? 1.0 : 0.0 }));
    }

    protected override async Task StartAsync()
        => _silo = await RunningApp.StartAsync(Silo.Program.CreateApp,
            [
                .. KeyArgs,
                "--Sandbox:DemoTenant=false",
                "--HubSpot:MaxRetries=1",
                "--QuickBooks:MaxRetries=1",
                "--Inbox:MaxAttempts=2",
                "--Inbox:FirstRetryDelay=00:00:00.200",
                "--Sync:ResyncInterval=01:00:00",
                $"--Dashboard:Users:{User}={Password}",
            ],
            Configure);

    public override async Task DisposeAsync()
    {
        if (_silo is not null)
            await _silo.DisposeAsync();
    }

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string path) => await OkJsonAsync(await client.GetAsync(path));
}
