using OrleansSync.Sandbox.Common;
using OrleansSync.Sandbox.HubSpot;
using OrleansSync.Sandbox.QuickBooks;

namespace OrleansSync.Sandbox;

/// <summary>The sandbox. Configuration section <c>Sandbox</c> (environment: <c>Sandbox__QuickBooks__WebhookUrl</c>, …).</summary>
public sealed class SandboxOptions
{
    public const string SectionName = "Sandbox";

    /// <summary>Seed the demo portal and companies (<see cref="DemoData"/>) at start.</summary>
    public bool SeedDemoData { get; set; } = true;

    /// <summary>
    /// Tenants to seed besides the demo one, for load tests and benchmarks: each a HubSpot portal and a US company seeded
    /// like the demo ones (<see cref="DemoData.ExtraTenant"/>), with limits of their own as every portal and company has.
    /// </summary>
    public int ExtraTenants { get; set; }

    /// <summary>Multiplies the services' webhook retry delays; 1 is the real schedule.</summary>
    public double WebhookRetryScale { get; set; } = 1;

    public QuickBooksSandboxOptions QuickBooks { get; set; } = new();

    public HubSpotSandboxOptions HubSpot { get; set; } = new();
}
