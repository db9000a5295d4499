using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using OrleansSync.GrainInterfaces;

namespace OrleansSync.Api.HubSpot;

/// <summary>
/// The token in the link of "Add existing invoice". HubSpot opens that link in an iframe without signing it, so the
/// card puts in it, protected with Data Protection for <see cref="CrmCardOptions.ActionLinkLifetime"/>, the one record
/// it is for: a token made for another record, changed, or expired lets nothing through.
/// </summary>
public sealed class CardActionLinks(IDataProtectionProvider provider, TimeProvider time, IOptions<CrmCardOptions> options)
{
    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector("OrleansSync.HubSpot.CardAction.v1").ToTimeLimitedDataProtector();

    public string Protect(long portalId, CrmRecord record)
        => _protector.Protect($"{Purpose(portalId, record)}|{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}", time.GetUtcNow() + options.Value.ActionLinkLifetime);

    /// <summary>Whether <paramref name="token"/> was made here, for this record, and has not expired.</summary>
    public bool Allows(string? token, long portalId, CrmRecord record)
    {
        if (string.IsNullOrEmpty(token))
            return false;
        try
        {
            var payload = _protector.Unprotect(token, out var expiration);
            return expiration >= time.GetUtcNow() && payload[..payload.LastIndexOf('|')] == Purpose(portalId, record);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static string Purpose(long portalId, CrmRecord record) => string.Create(CultureInfo.InvariantCulture, $"add-invoice:{portalId}:{record}");
}
