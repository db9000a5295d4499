using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>What an API call answers, and the changes it made (announced by webhook once the company is unlocked).</summary>
internal sealed record Outcome(int Status, JsonNode? Json, byte[]? Bytes = null, string ContentType = "application/json", IReadOnlyList<EntityChange>? Changes = null)
{
    public static Outcome Ok(JsonNode json, params EntityChange[] changes) => new(200, json, Changes: changes);
}

/// <summary>
/// The QuickBooks sandbox: its companies, the app's tokens, the limits and faults in force, and the webhooks it sends.
/// </summary>
internal sealed class QuickBooksSandbox
{
    private readonly ConcurrentDictionary<string, SandboxRealm> _realms = new(StringComparer.Ordinal);

    public QuickBooksSandbox(SandboxOptions options, SandboxClock clock, WebhookSender sender)
    {
        Options = options.QuickBooks;
        Clock = clock;
        Tokens = new QuickBooksTokenStore(clock);
        Faults = new FaultInjector(Options.Faults);
        Webhooks = new QuickBooksWebhookPublisher(Options, sender, Faults, realmId => FindRealm(realmId)?.WebhookFormat ?? Options.WebhookFormat);
        // Limits are exact sliding windows over real time, as Intuit counts them; the sandbox clock only moves dates.
        PerMinute = new RequestWindow(Options.RequestsPerMinute, TimeSpan.FromMinutes(1), TimeProvider.System);
        PerSecond = new RequestWindow(Options.RequestsPerSecond, TimeSpan.FromSeconds(1), TimeProvider.System);
        InFlight = new ConcurrencyWindow(Options.ConcurrentRequests);
    }

    public QuickBooksSandboxOptions Options { get; }

    public SandboxClock Clock { get; }

    public QuickBooksTokenStore Tokens { get; }

    public FaultInjector Faults { get; }

    public QuickBooksWebhookPublisher Webhooks { get; }

    public RequestWindow PerMinute { get; }

    public RequestWindow PerSecond { get; }

    public ConcurrencyWindow InFlight { get; }

    public IEnumerable<SandboxRealm> Realms => _realms.Values.OrderBy(r => r.RealmId, StringComparer.Ordinal);

    public SandboxRealm AddRealm(RealmSetup setup)
    {
        var realm = new SandboxRealm(setup, Clock) { WebhookFormat = Options.WebhookFormat };
        return _realms.TryAdd(setup.RealmId, realm) ? realm : throw new InvalidOperationException($"Company {setup.RealmId} exists already.");
    }

    public SandboxRealm? FindRealm(string realmId) => _realms.GetValueOrDefault(realmId);
}
