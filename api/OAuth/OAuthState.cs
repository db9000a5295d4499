using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace OrleansSync.Api.OAuth;

/// <summary>
/// The OAuth <c>state</c> parameter: what the flow is for (a HubSpot install, or connecting a QuickBooks company to
/// one tenant), protected with Data Protection and good for 15 minutes. A callback whose state was not made here,
/// was changed, is for another flow or has expired is refused.
/// </summary>
public sealed class OAuthState(IDataProtectionProvider provider, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector("OrleansSync.OAuth.State.v1").ToTimeLimitedDataProtector();

    public DateTimeOffset ExpiresAt => time.GetUtcNow() + Lifetime;

    public string ForHubSpotInstall() => Protect("hubspot");

    public string ForQuickBooksConnect(long portalId) => Protect($"quickbooks:{portalId.ToString(CultureInfo.InvariantCulture)}");

    public bool IsHubSpotInstall(string? state) => Read(state) == "hubspot";

    /// <summary>The tenant a QuickBooks connect was started for, or null when the state is not good.</summary>
    public long? QuickBooksPortal(string? state)
        => Read(state) is { } purpose && purpose.StartsWith("quickbooks:", StringComparison.Ordinal) && long.TryParse(purpose["quickbooks:".Length..], CultureInfo.InvariantCulture, out var portalId)
            ? portalId
            : null;

    private string Protect(string purpose)
        => _protector.Protect($"{purpose}|{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}", time.GetUtcNow() + Lifetime);

    private string? Read(string? state)
    {
        if (string.IsNullOrEmpty(state))
            return null;
        try
        {
            var payload = _protector.Unprotect(state, out var expiration);
            return expiration >= time.GetUtcNow() ? payload[..payload.LastIndexOf('|')] : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
