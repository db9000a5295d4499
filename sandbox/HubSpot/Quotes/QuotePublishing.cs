using System.Globalization;
using System.Security.Cryptography;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// What HubSpot does when a quote is published (its status set to APPROVAL_NOT_NEEDED or APPROVED): it fills in the
/// quote's link, PDF link and amount — the sum of the quote's own line items. The link's shape is illustrative.
/// </summary>
public static class QuotePublishing
{
    public static void Publish(HubSpotPortal portal, CrmObject quote, DateTimeOffset at)
    {
        var slug = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var link = $"https://{portal.PortalId}.hs-sites.com/{slug}";
        quote.Set("hs_quote_link", link, at, ChangeSource.Calculated);
        quote.Set("hs_pdf_download_link", $"{link}?format=pdf", at, ChangeSource.Calculated);
        quote.Set("hs_quote_amount", Amount(portal, quote).ToString("F2", CultureInfo.InvariantCulture), at, ChangeSource.Calculated);
    }

    public static decimal Amount(HubSpotPortal portal, CrmObject quote)
        => portal.Associations.Targets(CrmObjectTypes.Quotes, quote.Id, CrmObjectTypes.LineItems)
            .Select(t => portal.Objects.Find(CrmObjectTypes.LineItems, t.ToId))
            .Sum(lineItem => decimal.TryParse(lineItem?.Get("amount"), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) ? amount : 0m);

    /// <summary>Expired: its expiration date (a date in the account's time zone) is before today.</summary>
    public static bool IsExpired(HubSpotPortal portal, CrmObject quote, DateTimeOffset now)
        => DateOnly.TryParseExact(quote.Get("hs_expiration_date"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires)
           && expires < portal.Account.LocalDate(now);
}
