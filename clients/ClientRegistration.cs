using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.QuickBooks;

namespace OrleansSync.Clients;

/// <summary>Registers the typed clients on <see cref="IHttpClientFactory"/>, with their options validated at start-up.</summary>
public static class ClientRegistration
{
    /// <summary>QuickBooks: needs an <see cref="IQuickBooksTokenSource"/> registered by the caller.</summary>
    public static IServiceCollection AddQuickBooksClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddQuickBooksOAuthClient(configuration);
        services.TryAddSingleton<QuickBooksRateLimits>();
        services.AddHttpClient(nameof(QuickBooksClient));
        services.TryAddTransient(sp => new QuickBooksClient(new QuickBooksTransport(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(QuickBooksClient)),
            sp.GetRequiredService<IOptions<QuickBooksOptions>>(),
            sp.GetRequiredService<IQuickBooksTokenSource>(),
            sp.GetRequiredService<QuickBooksRateLimits>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QuickBooksClient>>())));
        return services;
    }

    /// <summary>HubSpot: needs an <see cref="IHubSpotTokenSource"/> registered by the caller.</summary>
    public static IServiceCollection AddHubSpotClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHubSpotOAuthClient(configuration);
        services.TryAddSingleton<HubSpotRateLimits>();
        services.AddHttpClient(nameof(HubSpotClient));
        services.TryAddTransient(sp => new HubSpotClient(new HubSpotTransport(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(HubSpotClient)),
            sp.GetRequiredService<IOptions<HubSpotOptions>>(),
            sp.GetRequiredService<IHubSpotTokenSource>(),
            sp.GetRequiredService<HubSpotRateLimits>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<HubSpotClient>>())));
        return services;
    }

    /// <summary>QuickBooks OAuth alone (consent URL, code exchange, refresh, revoke): what the api front-end needs.</summary>
    public static IServiceCollection AddQuickBooksOAuthClient(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(QuickBooksOAuthClient)))
            return services;
        AddValidated<QuickBooksOptions>(services, configuration.GetSection(QuickBooksOptions.SectionName), QuickBooksOptions.Validate);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<QuickBooksOAuthClient>();
        return services;
    }

    /// <summary>HubSpot OAuth alone (install URL, code exchange, refresh): what the api front-end needs.</summary>
    public static IServiceCollection AddHubSpotOAuthClient(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(HubSpotOAuthClient)))
            return services;
        AddValidated<HubSpotOptions>(services, configuration.GetSection(HubSpotOptions.SectionName), HubSpotOptions.Validate);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<HubSpotOAuthClient>();
        return services;
    }

    internal static void AddValidated<TOptions>(IServiceCollection services, IConfiguration section, Func<TOptions, ValidationResult?> validate)
        where TOptions : class
    {
        services.AddOptions<TOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>>(new Validator<TOptions>(validate));
    }

    /// <summary>Fails start-up with the validation's own message, which names the setting to fix.</summary>
    private sealed class Validator<TOptions>(Func<TOptions, ValidationResult?> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
            => validate(options) is { } result && result != ValidationResult.Success
                ? ValidateOptionsResult.Fail(result.ErrorMessage ?? $"{typeof(TOptions).Name} is invalid.")
                : ValidateOptionsResult.Success;
    }
}
