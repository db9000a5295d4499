using Microsoft.Extensions.Options;
using OrleansSync.Sandbox.Common;
using OrleansSync.Sandbox.HubSpot;
using OrleansSync.Sandbox.QuickBooks;

namespace OrleansSync.Sandbox;

/// <summary>
/// Sets the sandbox up in any host: alone (<c>dotnet run --project sandbox</c>) or inside the silo's single-process
/// default. Both serve the same paths: <c>/sandbox/quickbooks/…</c> stands for https://quickbooks.api.intuit.com and
/// Intuit's OAuth hosts, <c>/sandbox/hubspot/…</c> for https://api.hubapi.com, and <c>/sandbox/admin/…</c> acts as
/// people do (moves the clock, shows the webhooks sent).
/// </summary>
public static class SandboxHosting
{
    public const string QuickBooksPrefix = "/sandbox/quickbooks";
    public const string HubSpotPrefix = "/sandbox/hubspot";

    public static IServiceCollection AddOrleansSyncSandbox(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SandboxOptions>()
            .Bind(configuration.GetSection(SandboxOptions.SectionName))
            .Validate(o => o.WebhookRetryScale is > 0 and <= 10, "Sandbox:WebhookRetryScale must be above 0 and at most 10.")
            .Validate(o => o.ExtraTenants is >= 0 and <= DemoData.MaxExtraTenants, $"Sandbox:ExtraTenants must be between 0 and {DemoData.MaxExtraTenants}.")
            .Validate(o => o.QuickBooks.Faults.Validate() is null && o.HubSpot.Faults.Validate() is null, "Sandbox fault settings are out of range (rates between 0 and 1, latency up to 60000 ms).")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SandboxOptions>>().Value);
        services.AddSingleton<SandboxClock>();
        services.AddSingleton(sp => new WebhookDeliveryOptions { WebhookRetryScale = sp.GetRequiredService<SandboxOptions>().WebhookRetryScale });
        services.AddSingleton<WebhookSender>();
        services.AddHttpClient(WebhookSender.HttpClientName);
        services.AddProblemDetails();
        services.AddQuickBooksSandbox();
        services.AddHubSpotSandbox();
        return services;
    }

    public static IEndpointRouteBuilder MapOrleansSyncSandbox(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(QuickBooksPrefix).WithTags("Sandbox: QuickBooks").MapQuickBooksSandbox();
        endpoints.MapGroup(HubSpotPrefix).WithTags("Sandbox: HubSpot").MapHubSpotSandbox();
        endpoints.MapGroup("/sandbox/admin").WithTags("Sandbox").MapSandboxAdmin();
        return endpoints;
    }
}
