using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime;
using OrleansSync.Clients;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Grains.Credentials;
using OrleansSync.Grains.Inbox;
using OrleansSync.Grains.Sync;
using OrleansSync.Runtime.Hosting;
using OrleansSync.Runtime.Metrics;

namespace OrleansSync.Grains;

/// <summary>Everything a silo needs to host the integration's grains.</summary>
public static class GrainRegistration
{
    /// <summary>
    /// The grains, the HubSpot and QuickBooks clients they call (configuration sections <c>HubSpot</c> and
    /// <c>QuickBooks</c>), with tokens from the credential grains, and the inbox handler.
    /// </summary>
    public static SiloBuilder AddOrleansSyncGrains(this SiloBuilder silo)
    {
        silo.Services.AddSingleton<TokenProtector>();
        silo.Services.AddSingleton<GrainTokenSources>();
        silo.Services.AddSingleton<IQuickBooksTokenSource>(sp => sp.GetRequiredService<GrainTokenSources>());
        silo.Services.AddSingleton<IHubSpotTokenSource>(sp => sp.GetRequiredService<GrainTokenSources>());
        silo.Services.AddQuickBooksClient(silo.Configuration);
        silo.Services.AddHubSpotClient(silo.Configuration);
        silo.Services.AddOptions<SyncOptions>()
            .Bind(silo.Configuration.GetSection(SyncOptions.SectionName))
            .Validate(o => SyncOptions.Validate(o) == System.ComponentModel.DataAnnotations.ValidationResult.Success, "Sync options are invalid: ResyncInterval ≥ 1 s, ResyncOverlap ≥ 0, ChangeDataCaptureThreshold ≥ 1.")
            .Validate<IOptions<ReminderOptions>>((o, reminders) => o.ResyncInterval >= reminders.Value.MinimumPeriod, "Sync:ResyncInterval must be at least Reminders:MinimumPeriod (one minute unless configured): the resync is a reminder.")
            .ValidateOnStart();
        silo.Services.AddSingleton<ISiloStatsContributor, RateLimitBudgets>();
        silo.AddInboxHandler<InboxRouter>();
        return silo.AddGrains(typeof(GrainRegistration).Assembly);
    }
}
