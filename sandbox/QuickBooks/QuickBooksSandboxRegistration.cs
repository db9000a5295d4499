namespace OrleansSync.Sandbox.QuickBooks;

public static class QuickBooksSandboxRegistration
{
    public static IServiceCollection AddQuickBooksSandbox(this IServiceCollection services)
    {
        services.AddSingleton<QuickBooksSandbox>();
        services.AddHostedService<QuickBooksSeed>();
        return services;
    }

    /// <summary>Intuit's OAuth endpoints, the Accounting API and the admin endpoints, under the group's prefix.</summary>
    public static RouteGroupBuilder MapQuickBooksSandbox(this RouteGroupBuilder group)
    {
        group.MapQuickBooksOAuth();
        group.MapQuickBooksApi();
        group.MapGroup("/admin").MapQuickBooksAdmin();
        return group;
    }
}
