namespace OrleansSync.Sandbox.QuickBooks;

public static class QuickBooksSandboxRegistration
{
    public static IServiceCollection AddQuickBooksSandbox(this IServiceCollection services) => services;

    public static RouteGroupBuilder MapQuickBooksSandbox(this RouteGroupBuilder group) => group;
}
