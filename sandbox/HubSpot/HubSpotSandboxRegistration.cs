using Microsoft.Extensions.Options;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// The HubSpot sandbox: services, and the endpoints under <c>/sandbox/hubspot</c> with the paths of api.hubapi.com.
/// API calls go through authentication (the bearer token picks the portal), then the rate limits, then the fault
/// settings; OAuth and the admin endpoints go through none of them.
/// </summary>
public static class HubSpotSandboxRegistration
{
    /// <summary>The key of the HubSpot sandbox's keyed services (its <see cref="FaultInjector"/>).</summary>
    public const string ServiceKey = "hubspot";

    public static IServiceCollection AddHubSpotSandbox(this IServiceCollection services)
    {
        services.AddOptions<SandboxOptions>()
            .Validate(o => o.HubSpot.RequestsPerTenSeconds > 0 && o.HubSpot.SearchRequestsPerSecond > 0 && o.HubSpot.DailyLimit is null or > 0,
                "Sandbox:HubSpot rate limits must be above zero.")
            .Validate(o => o.HubSpot.SearchFilterGroups > 0 && o.HubSpot.SearchFiltersPerGroup > 0 && o.HubSpot.SearchFiltersTotal > 0,
                "Sandbox:HubSpot search filter limits must be above zero.")
            .Validate(o => !string.IsNullOrEmpty(o.HubSpot.ClientId) && !string.IsNullOrEmpty(o.HubSpot.ClientSecret),
                "Sandbox:HubSpot:ClientId and ClientSecret are required.");
        services.AddKeyedSingleton(ServiceKey, (sp, _) => new FaultInjector(sp.GetRequiredService<IOptions<SandboxOptions>>().Value.HubSpot.Faults));
        services.AddSingleton<HubSpotPortals>();
        services.AddSingleton<HubSpotOAuth>();
        services.AddSingleton<HubSpotRateLimits>();
        services.AddSingleton<HubSpotWebhooks>();
        services.AddSingleton<HubSpotCrm>();
        services.AddSingleton<TimelineTemplates>();
        services.AddHostedService<HubSpotDemoSeed>();
        return services;
    }

    public static RouteGroupBuilder MapHubSpotSandbox(this RouteGroupBuilder group)
    {
        var api = group.MapGroup("")
            .AddEndpointFilter<HubSpotAuthenticationFilter>()
            .AddEndpointFilter<HubSpotRateLimitFilter>()
            .AddEndpointFilter<HubSpotFaultFilter>();
        api.MapCrmObjects();
        api.MapCrmBatches();
        api.MapCrmSearch();
        api.MapPipelines();
        api.MapAssociations();
        api.MapProperties();
        api.MapAccount();
        api.MapTimeline();
        api.MapAutomation();

        group.MapHubSpotOAuth();
        group.MapGroup("/admin").MapHubSpotAdmin();
        return group;
    }
}
