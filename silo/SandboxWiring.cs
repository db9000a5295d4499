using System.Net;
using System.Net.Sockets;
using OrleansSync.Runtime;
using OrleansSync.Sandbox;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Silo;

/// <summary>
/// The single-process default with the sandbox mounted: the HubSpot and QuickBooks clients (and their OAuth) point at
/// this very process, and grain time is the sandbox's clock, so that moving it a month ahead makes invoices fall
/// overdue and tokens expire — while leases and heartbeats keep real time. Settings already given win.
/// </summary>
internal static class SandboxWiring
{
    public static void PointAtMountedSandbox(WebApplicationBuilder builder)
    {
        var self = SelfAddress(builder);
        var quickBooks = $"{self}{SandboxHosting.QuickBooksPrefix}/";
        var hubSpot = $"{self}{SandboxHosting.HubSpotPrefix}/";
        var configuration = builder.Configuration;
        var defaults = new Dictionary<string, string?>
        {
            ["QuickBooks:BaseUrl"] = quickBooks,
            ["QuickBooks:AuthorizationEndpoint"] = $"{quickBooks}connect/oauth2",
            ["QuickBooks:TokenEndpoint"] = $"{quickBooks}oauth2/v1/tokens/bearer",
            ["QuickBooks:RevocationEndpoint"] = $"{quickBooks}v2/oauth2/tokens/revoke",
            ["QuickBooks:ClientId"] = configuration["Sandbox:QuickBooks:ClientId"] ?? "sandbox-quickbooks-client-id",
            ["QuickBooks:ClientSecret"] = configuration["Sandbox:QuickBooks:ClientSecret"] ?? "sandbox-quickbooks-client-secret",
            ["HubSpot:BaseUrl"] = hubSpot,
            ["HubSpot:AuthorizationEndpoint"] = $"{hubSpot}oauth/authorize",
            ["HubSpot:TokenEndpoint"] = $"{hubSpot}oauth/v1/token",
            ["HubSpot:ClientId"] = configuration["Sandbox:HubSpot:ClientId"] ?? "sandbox-hubspot-client-id",
            ["HubSpot:ClientSecret"] = configuration["Sandbox:HubSpot:ClientSecret"] ?? "sandbox-hubspot-client-secret",

            // Both services' webhooks come back here, signed as the product expects them.
            ["QuickBooks:WebhookVerifierToken"] = configuration["Sandbox:QuickBooks:WebhookVerifierToken"] ?? "sandbox-quickbooks-verifier-token",
            ["Sandbox:QuickBooks:WebhookUrl"] = $"{self}/webhooks/quickbooks",
            ["Sandbox:HubSpot:WebhookUrl"] = $"{self}/webhooks/hubspot",
        };
        configuration.AddInMemoryCollection(defaults.Where(setting => string.IsNullOrEmpty(configuration[setting.Key])));
        builder.Services.AddKeyedSingleton<TimeProvider>(GrainClock.Key, (sp, _) => sp.GetRequiredService<SandboxClock>());
        builder.Services.AddSingleton(new SelfAddress(new Uri($"{self}/")));
        if (configuration.GetValue("Sandbox:DemoTenant", defaultValue: true))
            builder.Services.AddHostedService<DemoTenant>();
    }

    /// <summary>
    /// Where this process listens, from <c>--urls</c> (or ASPNETCORE_URLS, or Kestrel's default). A port of 0 is
    /// replaced by a free one now, because the clients need the address before the server binds.
    /// </summary>
    private static string SelfAddress(WebApplicationBuilder builder)
    {
        var urls = builder.Configuration["urls"] is { Length: > 0 } configured ? configured : "http://localhost:5000";
        var first = new Uri(urls.Split(';', StringSplitOptions.RemoveEmptyEntries)[0].Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal));
        var port = first.Port;
        if (port == 0)
        {
            port = FreePort();
            builder.WebHost.UseUrls(urls.Replace(":0", $":{port}", StringComparison.Ordinal));
        }

        var host = first.Host is "0.0.0.0" or "[::]" ? "localhost" : first.Host;
        return $"{first.Scheme}://{host}:{port}";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
