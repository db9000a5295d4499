using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>The QuickBooks Online sandbox. Configuration section <c>Sandbox:QuickBooks</c>.</summary>
public sealed class QuickBooksSandboxOptions
{
    /// <summary>Where webhooks are POSTed (environment: <c>Sandbox__QuickBooks__WebhookUrl</c>); none are sent when unset.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>Signs webhooks (<c>intuit-signature</c>).</summary>
    public string WebhookVerifierToken { get; set; } = "sandbox-quickbooks-verifier-token";

    /// <summary>"legacy" (eventNotifications) or "cloudevents"; each company can be switched on its own by an admin call.</summary>
    public string WebhookFormat { get; set; } = "legacy";

    public string ClientId { get; set; } = "sandbox-quickbooks-client-id";

    public string ClientSecret { get; set; } = "sandbox-quickbooks-client-secret";

    /// <summary>500 requests per minute per company.</summary>
    public int RequestsPerMinute { get; set; } = 500;

    /// <summary>10 requests per second per company and app.</summary>
    public int RequestsPerSecond { get; set; } = 10;

    /// <summary>10 requests in flight per company and app.</summary>
    public int ConcurrentRequests { get; set; } = 10;

    public FaultSettings Faults { get; set; } = new();
}
