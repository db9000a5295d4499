using Microsoft.Extensions.Options;

namespace OrleansSync.Api.HubSpot;

/// <summary>
/// What HubSpot itself calls: the workflow action "Create QuickBooks invoice" (F14) and the record card with its
/// actions (F12). No API key — HubSpot signs its requests with the app's client secret instead.
/// </summary>
public static class HubSpotAppEndpoints
{
    public static IServiceCollection AddHubSpotAppEndpoints(this IServiceCollection services, IConfiguration configuration)
    {
        AddValidated<WorkflowActionOptions>(services, configuration.GetSection(WorkflowActionOptions.SectionName), o => o.Invalid());
        AddValidated<CrmCardOptions>(services, configuration.GetSection(CrmCardOptions.SectionName), o => o.Invalid());
        services.AddSingleton<CardActionLinks>();
        return services;
    }

    public static IEndpointRouteBuilder MapHubSpotAppEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapWorkflowActionEndpoints();
        endpoints.MapCrmCardEndpoints();
        return endpoints;
    }

    private static void AddValidated<TOptions>(IServiceCollection services, IConfiguration section, Func<TOptions, string?> invalid)
        where TOptions : class
    {
        services.AddOptions<TOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>>(new Validator<TOptions>(invalid));
    }

    /// <summary>Fails start-up with the message that names the setting to fix.</summary>
    private sealed class Validator<TOptions>(Func<TOptions, string?> invalid) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
            => invalid(options) is { } message ? ValidateOptionsResult.Fail(message) : ValidateOptionsResult.Success;
    }
}
