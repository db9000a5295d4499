using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansSync.Api.HubSpot;
using OrleansSync.Api.OAuth;
using OrleansSync.Api.Operators;
using OrleansSync.Api.Tenants;
using OrleansSync.Api.Webhooks;
using OrleansSync.Clients;
using OrleansSync.Api.Security;
using OrleansSync.Runtime.Hosting;

namespace OrleansSync.Api.Hosting;

/// <summary>Sets up the api endpoints, wherever they run: alone, or inside a silo.</summary>
public static class ApiHosting
{
    public const string OperatorPolicy = "Operator";
    public const string TenantPolicy = "Tenant";

    public static IServiceCollection AddOrleansSyncApi(this IServiceCollection services, IConfiguration configuration)
    {
        var durable = !string.IsNullOrWhiteSpace(configuration.GetConnectionString(OrleansSyncHosting.PostgresConnectionStringName));
        services.AddOptions<ApiOptions>()
            .Bind(configuration.GetSection(ApiOptions.SectionName))
            .Validate(o => o.AdminKeys.Count > 0 && o.AdminKeys.All(k => k.Length >= 16),
                "Api:AdminKeys must hold at least one operator key of 16 characters or more (environment: Api__AdminKeys__0).")
            .Validate(o => o.TenantKeys.All(t => long.TryParse(t.Key, out _) && t.Value.All(k => k.Length >= 16)),
                "Api:TenantKeys are keyed by HubSpot portal id, and each key has 16 characters or more (environment: Api__TenantKeys__7262481__0).")
            .ValidateOnStart();
        if (!durable)
        {
            // The single-process default is for trying things out: without configured keys it makes one up for this run
            // and says so in the log, rather than leave the operator API open.
            services.AddSingleton<GeneratedAdminKey>();
            services.AddSingleton<IPostConfigureOptions<ApiOptions>>(sp => new PostConfigureOptions<ApiOptions>(Options.DefaultName, o =>
            {
                if (o.AdminKeys.Count == 0)
                    o.AdminKeys.Add(sp.GetRequiredService<GeneratedAdminKey>().Value);
            }));
        }

        services.AddQuickBooksOAuthClient(configuration);
        services.AddHubSpotOAuthClient(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OAuthState>();
        services.AddSingleton<RealmOwners>();
        services.AddHubSpotAppEndpoints(configuration);
        services.AddProblemDetails();
        services.AddExceptionHandler<GrainCallExceptionHandler>();
        // No default scheme: only the api's own endpoints look at the Authorization header (the sandbox's, mounted
        // alongside in the default mode, carry HubSpot and QuickBooks tokens there).
        // A lone scheme would become the default one and look at every request, the sandbox's too (logging each
        // HubSpot token as a bad API key); this switch keeps it to the endpoints whose policies name it.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication()
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(OperatorPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireRole(ApiKeyAuthenticationHandler.AdminRole))
            .AddPolicy(TenantPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireRole(ApiKeyAuthenticationHandler.AdminRole, ApiKeyAuthenticationHandler.TenantRole));
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        return services;
    }

    /// <summary>Problem details for every error, then authentication.</summary>
    public static WebApplication UseOrleansSyncApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        if (app.Services.GetService<GeneratedAdminKey>() is { } generated && app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.AdminKeys.Contains(generated.Value))
            app.Logger.LogWarning("No Api:AdminKeys configured. The operator API key for this run is {AdminKey} (send it as 'Authorization: Bearer <key>'; the dashboard: /dashboard/?key={AdminKey}).", generated.Value, generated.Value);
        return app;
    }

    public static IEndpointRouteBuilder MapOrleansSyncApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        var operators = api.MapGroup("").RequireAuthorization(OperatorPolicy);
        operators.MapClusterEndpoints();
        operators.MapInboxEndpoints();
        operators.MapEventEndpoints();
        api.MapGroup("").RequireAuthorization(TenantPolicy).MapTenantEndpoints();
        endpoints.MapOAuthEndpoints();
        endpoints.MapWebhookEndpoints();
        endpoints.MapHubSpotAppEndpoints();
        return endpoints;
    }

    /// <summary>An operator key made up at start for one run of the single-process default.</summary>
    internal sealed class GeneratedAdminKey
    {
        public string Value { get; } = "dev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    }
}
