using System.Security.Cryptography;
using System.Text;

namespace OrleansSync.Clients.Webhooks;

/// <summary>
/// QuickBooks Online webhook signatures: the <c>intuit-signature</c> header is
/// base64(HMAC-SHA256(key = the app's verifier token, data = the raw body bytes)) — for the legacy and the
/// CloudEvents payloads alike.
/// </summary>
public static class IntuitWebhookSignature
{
    public const string HeaderName = "intuit-signature";

    public static string Compute(ReadOnlySpan<byte> body, string verifierToken)
        => Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(verifierToken), body));

    /// <summary>True when <paramref name="signature"/> is the body's signature; compared in constant time.</summary>
    public static bool IsValid(ReadOnlySpan<byte> body, string? signature, string verifierToken)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(verifierToken))
            return false;
        Span<byte> presented = stackalloc byte[64];
        if (!Convert.TryFromBase64String(signature.Trim(), presented, out var length) || length != 32)
            return false;
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(verifierToken), body);
        return CryptographicOperations.FixedTimeEquals(expected, presented[..length]);
    }
}
