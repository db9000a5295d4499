using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>The HubSpot sandbox. Configuration section <c>Sandbox:HubSpot</c>.</summary>
public sealed class HubSpotSandboxOptions
{
    /// <summary>Where webhook batches are POSTed (environment: <c>Sandbox__HubSpot__WebhookUrl</c>); none are sent when unset.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>The app's client secret: signs webhooks (v1 and v3) and authenticates OAuth token requests.</summary>
    public string ClientSecret { get; set; } = "sandbox-hubspot-client-secret";

    public string ClientId { get; set; } = "sandbox-hubspot-client-id";

    public long AppId { get; set; } = 1_234_567;

    /// <summary>
    /// Whether the app may use the timeline events API. HubSpot allows it only to partners with existing v1/v3
    /// timeline events; other apps get 403 and fall back to notes.
    /// </summary>
    public bool TimelineEventsEnabled { get; set; }

    /// <summary>OAuth apps: 110 requests per rolling 10 seconds per account (search excluded).</summary>
    public int RequestsPerTenSeconds { get; set; } = 110;

    /// <summary>Search: 5 requests per second per account.</summary>
    public int SearchRequestsPerSecond { get; set; } = 5;

    /// <summary>A daily quota per account; OAuth apps have none (null), private apps do.</summary>
    public int? DailyLimit { get; set; }

    /// <summary>
    /// Search filter limits. The 2024-08-26 changelog says 5 groups, 10 filters per group and 25 in all; other copies
    /// of the guide say otherwise, so they are settings.
    /// </summary>
    public int SearchFilterGroups { get; set; } = 5;

    public int SearchFiltersPerGroup { get; set; } = 10;

    public int SearchFiltersTotal { get; set; } = 25;

    public FaultSettings Faults { get; set; } = new();
}
