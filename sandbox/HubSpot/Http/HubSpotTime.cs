using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// HubSpot's timestamps: ISO 8601 in UTC with milliseconds and a <c>Z</c> (<c>2019-10-30T03:30:17.883Z</c>), both for
/// top-level fields like <c>createdAt</c> and for datetime property values; dates alone as <c>yyyy-MM-dd</c>.
/// </summary>
public static class HubSpotTime
{
    public static string Format(DateTimeOffset instant)
        => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string FormatDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static long ToMilliseconds(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    /// <summary>Epoch milliseconds, an ISO 8601 instant, or a date (midnight UTC): what requests may carry.</summary>
    public static bool TryParseInstant(string value, out DateTimeOffset instant)
    {
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milliseconds))
        {
            if (milliseconds is >= -62_135_596_800_000 and <= 253_402_300_799_999)
            {
                instant = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
                return true;
            }

            instant = default;
            return false;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            instant = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }

        // Only full timestamps: "2020-02-29T03:30:17.000Z", with or without fractions, with Z or an offset.
        if (value.Length >= 19 && value[10] == 'T'
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant))
            return true;

        instant = default;
        return false;
    }
}

/// <summary>Writes and reads <see cref="DateTimeOffset"/> the way HubSpot does (see <see cref="HubSpotTime"/>).</summary>
public sealed class HubSpotTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.TokenType == JsonTokenType.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64())
            : HubSpotTime.TryParseInstant(reader.GetString() ?? "", out var instant) ? instant : throw new JsonException("Not a timestamp.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        => writer.WriteStringValue(HubSpotTime.Format(value));
}
