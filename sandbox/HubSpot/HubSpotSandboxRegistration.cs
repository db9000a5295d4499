namespace OrleansSync.Sandbox.HubSpot;

public static class HubSpotSandboxRegistration
{
    public static IServiceCollection AddHubSpotSandbox(this IServiceCollection services) => services;

    public static RouteGroupBuilder MapHubSpotSandbox(this RouteGroupBuilder group) => group;
}
