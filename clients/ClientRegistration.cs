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
        AddValidated<QuickBooksOptions>(services, configuration.GetSection(QuickBooksOptions.SectionName), QuickBooksOptions.Validate);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<QuickBooksRateLimits>();
        services.AddHttpClient<QuickBooksOAuthClient>();
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
        AddValidated<HubSpotOptions>(services, configuration.GetSection(HubSpotOptions.SectionName), HubSpotOptions.Validate);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HubSpotRateLimits>();
        services.AddHttpClient<HubSpotOAuthClient>();
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
