using System.ComponentModel.DataAnnotations;

namespace OrleansSync.Clients.QuickBooks;

/// <summary>The QuickBooks Online app and API. Configuration section <c>QuickBooks</c>.</summary>
public sealed class QuickBooksOptions
{
    public const string SectionName = "QuickBooks";

    /// <summary>The Accounting API host (production by default; Intuit's own sandbox or ours are alternatives).</summary>
    public Uri BaseUrl { get; set; } = new("https://quickbooks.api.intuit.com/");

    /// <summary>Since 2025-08-01 every lower value means 75.</summary>
    public int MinorVersion { get; set; } = 75;

    public Uri AuthorizationEndpoint { get; set; } = new("https://appcenter.intuit.com/connect/oauth2");

    public Uri TokenEndpoint { get; set; } = new("https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer");

    public Uri RevocationEndpoint { get; set; } = new("https://developer.api.intuit.com/v2/oauth2/tokens/revoke");

    /// <summary>Where people open a company's invoices in QuickBooks (<c>{AppBaseUrl}/app/invoice?txnId={id}</c>): links on the record card.</summary>
    public Uri AppBaseUrl { get; set; } = new("https://app.qbo.intuit.com/");

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Verifies <c>intuit-signature</c> on incoming webhooks (environment: <c>QuickBooks__WebhookVerifierToken</c>).</summary>
    public string? WebhookVerifierToken { get; set; }

    /// <summary>Intuit: 500 requests per minute per company.</summary>
    public int RequestsPerMinute { get; set; } = 500;

    /// <summary>Intuit: 10 requests per second per company and app.</summary>
    public int RequestsPerSecond { get; set; } = 10;

    /// <summary>Intuit: at most 10 requests in flight per company and app.</summary>
    public int ConcurrentRequests { get; set; } = 10;

    /// <summary>Retries of a request answered 429 or 5xx, or not answered at all.</summary>
    public int MaxRetries { get; set; } = 8;

    /// <summary>The wait after a 429 without <c>Retry-After</c>; Intuit says to wait a minute.</summary>
    public TimeSpan ThrottleRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one attempt may take (Intuit times requests out at 120 s).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    internal static ValidationResult? Validate(QuickBooksOptions options)
    {
        if (!options.BaseUrl.IsAbsoluteUri || !options.TokenEndpoint.IsAbsoluteUri)
            return new ValidationResult("QuickBooks:BaseUrl and QuickBooks:TokenEndpoint must be absolute URLs.");
        if (!options.AppBaseUrl.IsAbsoluteUri)
            return new ValidationResult("QuickBooks:AppBaseUrl must be an absolute URL (https://app.qbo.intuit.com by default).");
        if (options.RequestsPerMinute < 1 || options.RequestsPerSecond < 1 || options.ConcurrentRequests < 1)
            return new ValidationResult("QuickBooks limits must be at least 1.");
        if (options.MaxRetries is < 0 or > 20)
            return new ValidationResult("QuickBooks:MaxRetries must be between 0 and 20.");
        return ValidationResult.Success;
    }
}

/// <summary>Where the clients get a company's access token — the account grain, in the product.</summary>
public interface IQuickBooksTokenSource
{
    ValueTask<string> GetAccessTokenAsync(string realmId, CancellationToken cancellationToken);

    /// <summary>
    /// QuickBooks refused <paramref name="rejectedToken"/> (401): answer a fresh token, refreshing if nobody has
    /// yet, or throw when the connection cannot be refreshed.
    /// </summary>
    ValueTask<string> RefreshAccessTokenAsync(string realmId, string rejectedToken, CancellationToken cancellationToken);
}
