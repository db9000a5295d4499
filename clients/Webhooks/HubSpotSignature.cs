using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansSync.Clients.Webhooks;

/// <summary>The signature headers of a request HubSpot sent.</summary>
public sealed record HubSpotSignedRequest(
    string Method,
    string Uri,
    ReadOnlyMemory<byte> Body,
    string? SignatureV3,
    string? RequestTimestamp,
    string? Signature,
    string? SignatureVersion);

public enum HubSpotSignatureCheck
{
    Valid,
    Missing,
    Invalid,

    /// <summary>A v3 signature older than the five-minute window (or from the future): possibly replayed.</summary>
    Expired,
}

/// <summary>
/// HubSpot request signatures (developers.hubspot.com, "Validating requests").
/// <list type="bullet">
/// <item>v1 (<c>X-HubSpot-Signature</c>, webhooks): hex(SHA-256(client secret + body)).</item>
/// <item>v2 (same header, workflow actions and CRM cards): hex(SHA-256(client secret + method + URI + body)).</item>
/// <item>v3 (<c>X-HubSpot-Signature-v3</c> + <c>X-HubSpot-Request-Timestamp</c> in ms, all requests to OAuth apps):
/// base64(HMAC-SHA256(client secret, method + URI + body + timestamp)), refused when older than five minutes.</item>
/// </list>
/// v3 is checked when present; otherwise the versioned signature, if the caller accepts that version.
/// </summary>
public static class HubSpotSignature
{
    public const string SignatureHeader = "X-HubSpot-Signature";
    public const string VersionHeader = "X-HubSpot-Signature-Version";
    public const string SignatureV3Header = "X-HubSpot-Signature-v3";
    public const string TimestampHeader = "X-HubSpot-Request-Timestamp";

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public static string ComputeV1(string clientSecret, ReadOnlySpan<byte> body)
        => HexSha256([.. Encoding.UTF8.GetBytes(clientSecret), .. body]);

    public static string ComputeV2(string clientSecret, string method, string uri, ReadOnlySpan<byte> body)
        => HexSha256([.. Encoding.UTF8.GetBytes(clientSecret + method + uri), .. body]);

    public static string ComputeV3(string clientSecret, string method, string uri, ReadOnlySpan<byte> body, long timestampMilliseconds)
    {
        byte[] data = [.. Encoding.UTF8.GetBytes(method + DecodeUri(uri)), .. body, .. Encoding.UTF8.GetBytes(timestampMilliseconds.ToString(CultureInfo.InvariantCulture))];
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(clientSecret), data));
    }

    /// <summary>Checks a request: v3 when it carries one, else v1 or v2 if <paramref name="acceptedLegacyVersions"/> lists it.</summary>
    public static HubSpotSignatureCheck Check(HubSpotSignedRequest request, string clientSecret, DateTimeOffset now, params string[] acceptedLegacyVersions)
    {
        if (string.IsNullOrEmpty(clientSecret))
            return HubSpotSignatureCheck.Invalid;

        if (!string.IsNullOrEmpty(request.SignatureV3))
        {
            if (!long.TryParse(request.RequestTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
                return HubSpotSignatureCheck.Invalid;
            var age = now - DateTimeOffset.FromUnixTimeMilliseconds(timestamp);
            if (age > MaxAge || age < -MaxAge)
                return HubSpotSignatureCheck.Expired;
            var expected = ComputeV3(clientSecret, request.Method, request.Uri, request.Body.Span, timestamp);
            return FixedTimeEquals(expected, request.SignatureV3) ? HubSpotSignatureCheck.Valid : HubSpotSignatureCheck.Invalid;
        }

        if (string.IsNullOrEmpty(request.Signature))
            return HubSpotSignatureCheck.Missing;
        var version = string.IsNullOrEmpty(request.SignatureVersion) ? "v1" : request.SignatureVersion.ToLowerInvariant();
        if (!acceptedLegacyVersions.Contains(version, StringComparer.OrdinalIgnoreCase))
            return HubSpotSignatureCheck.Invalid;
        var legacy = version switch
        {
            "v1" => ComputeV1(clientSecret, request.Body.Span),
            "v2" => ComputeV2(clientSecret, request.Method, request.Uri, request.Body.Span),
            _ => null,
        };
        return legacy is not null && FixedTimeEquals(legacy, request.Signature.ToLowerInvariant()) ? HubSpotSignatureCheck.Valid : HubSpotSignatureCheck.Invalid;
    }

    /// <summary>
    /// HubSpot signs the URI with these escapes decoded (the list the official SDKs use); the query's own
    /// <c>?</c> and <c>&amp;</c> stay as they are.
    /// </summary>
    internal static string DecodeUri(string uri)
    {
        var decoded = new StringBuilder(uri.Length);
        for (var i = 0; i < uri.Length; i++)
        {
            if (uri[i] == '%' && i + 2 < uri.Length && Decodable(uri.AsSpan(i + 1, 2)) is { } character)
            {
                decoded.Append(character);
                i += 2;
            }
            else
            {
                decoded.Append(uri[i]);
            }
        }

        return decoded.ToString();
    }

    private static char? Decodable(ReadOnlySpan<char> hex) => hex.ToString().ToUpperInvariant() switch
    {
        "3A" => ':',
        "2F" => '/',
        "3F" => '?',
        "40" => '@',
        "21" => '!',
        "24" => '$',
        "27" => '\'',
        "28" => '(',
        "29" => ')',
        "2A" => '*',
        "2C" => ',',
        "3B" => ';',
        _ => null,
    };

    private static string HexSha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static bool FixedTimeEquals(string expected, string presented)
        => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented.Trim()));
}
