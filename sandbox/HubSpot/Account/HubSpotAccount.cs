using System.Text.Json.Serialization;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// A portal's account settings, as <c>GET /account-info/v3/details</c> and the currency settings report them.
/// </summary>
public sealed record HubSpotAccount(
    long PortalId,
    string AccountType,
    string TimeZone,
    string CompanyCurrency,
    IReadOnlyList<string> AdditionalCurrencies,
    string UiDomain,
    string DataHostingLocation,
    DateTimeOffset CreatedAt)
{
    /// <summary>A new portal: an ordinary paid account in the US data centre.</summary>
    public static HubSpotAccount Standard(long portalId, DateTimeOffset createdAt)
        => new(portalId, "STANDARD", "America/New_York", "USD", [], "app.hubspot.com", "na1", createdAt);

    [JsonIgnore]
    public IReadOnlyList<string> Currencies => [CompanyCurrency, .. AdditionalCurrencies];

    [JsonIgnore]
    public TimeZoneInfo TimeZoneInfo => TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>The account's date at an instant: the day quotes expire by and daily limits reset on.</summary>
    public DateOnly LocalDate(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, TimeZoneInfo).DateTime);
}
