using System.ComponentModel.DataAnnotations;

namespace OrleansSync.Clients.HubSpot;

/// <summary>The HubSpot app and API. Configuration section <c>HubSpot</c>.</summary>
public sealed class HubSpotOptions
{
    public const string SectionName = "HubSpot";

    public Uri BaseUrl { get; set; } = new("https://api.hubapi.com/");

    public Uri AuthorizationEndpoint { get; set; } = new("https://app.hubspot.com/oauth/authorize");

    public Uri TokenEndpoint { get; set; } = new("https://api.hubapi.com/oauth/v1/token");

    public string? ClientId { get; set; }

    /// <summary>Also verifies the signatures of HubSpot's requests (environment: <c>HubSpot__ClientSecret</c>).</summary>
    public string? ClientSecret { get; set; }

    public long? AppId { get; set; }

    /// <summary>OAuth apps: 110 requests per rolling 10 seconds per account, search excluded.</summary>
    public int RequestsPerTenSeconds { get; set; } = 110;

    /// <summary>
    /// The app's timeline event template for payments (F13), if it has one: payments then appear as timeline events on
    /// deals; without one — or where HubSpot refuses the app timeline events — as notes.
    /// </summary>
    public string? PaymentEventTemplateId { get; set; }

    /// <summary>Search: 5 requests per second per account.</summary>
    public int SearchRequestsPerSecond { get; set; } = 5;

    public int MaxRetries { get; set; } = 6;

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal static ValidationResult? Validate(HubSpotOptions options)
    {
        if (!options.BaseUrl.IsAbsoluteUri || !options.TokenEndpoint.IsAbsoluteUri)
            return new ValidationResult("HubSpot:BaseUrl and HubSpot:TokenEndpoint must be absolute URLs.");
        if (options.RequestsPerTenSeconds < 1 || options.SearchRequestsPerSecond < 1)
            return new ValidationResult("HubSpot limits must be at least 1.");
        if (options.MaxRetries is < 0 or > 20)
            return new ValidationResult("HubSpot:MaxRetries must be between 0 and 20.");
        return ValidationResult.Success;
    }
}

/// <summary>Where the clients get an account's access token — the tenant grain, in the product.</summary>
public interface IHubSpotTokenSource
{
    ValueTask<string> GetAccessTokenAsync(long portalId, CancellationToken cancellationToken);

    /// <summary>HubSpot refused <paramref name="rejectedToken"/> (401): answer a fresh one, or throw when the install is broken.</summary>
    ValueTask<string> RefreshAccessTokenAsync(long portalId, string rejectedToken, CancellationToken cancellationToken);
}
