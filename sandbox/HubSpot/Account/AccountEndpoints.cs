using System.Globalization;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary><c>GET /account-info/v3/details</c> (time zone, currencies, data centre).</summary>
public sealed record AccountDetails(
    long PortalId,
    string AccountType,
    string TimeZone,
    string CompanyCurrency,
    IReadOnlyList<string> AdditionalCurrencies,
    string UtcOffset,
    long UtcOffsetMilliseconds,
    string UiDomain,
    string DataHostingLocation);

/// <summary><c>GET /settings/v3/currencies/company-currency</c>.</summary>
public sealed record CompanyCurrency(string Id, DateTimeOffset CreatedAt);

/// <summary>The account's settings the product reads: its details and its company currency.</summary>
public static class AccountEndpoints
{
    public static RouteGroupBuilder MapAccount(this RouteGroupBuilder api)
    {
        api.MapGet("/account-info/v3/details", Details);
        api.MapGet("/settings/v3/currencies/company-currency", (HttpContext http) =>
        {
            var account = HubSpotCaller.Portal(http).Account;
            return TypedResults.Json(new CompanyCurrency(account.CompanyCurrency, account.CreatedAt), HubSpotJson.Context.CompanyCurrency);
        });
        return api;
    }

    /// <summary>The UTC offset is the one in force now in the account's time zone (it moves with daylight saving).</summary>
    private static IResult Details(HttpContext http, SandboxClock clock)
    {
        var account = HubSpotCaller.Portal(http).Account;
        var offset = account.TimeZoneInfo.GetUtcOffset(clock.GetUtcNow());
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        var text = sign + offset.Duration().ToString("hh\\:mm", CultureInfo.InvariantCulture);
        return TypedResults.Json(
            new AccountDetails(account.PortalId, account.AccountType, account.TimeZone, account.CompanyCurrency, account.AdditionalCurrencies, text,
                (long)offset.TotalMilliseconds, account.UiDomain, account.DataHostingLocation),
            HubSpotJson.Context.AccountDetails);
    }
}
