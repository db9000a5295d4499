namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// When HubSpot retries a webhook it could not deliver. The guide says only: "retried up to 10 times … spread out over
/// the next 24 hours, with varying delays … randomization". The exact schedule is UNCONFIRMED; this one (1 min, 2 min,
/// 5 min, 10 min, 30 min, 1 h, 2 h, 4 h, 6 h, 8 h, each ±20 %) adds up to about 22 hours, inside the day.
/// </summary>
public static class HubSpotWebhookRetrySchedule
{
    public static readonly IReadOnlyList<TimeSpan> Nominal =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4), TimeSpan.FromHours(6), TimeSpan.FromHours(8),
    ];

    /// <summary>HubSpot counts an attempt as failed when the answer takes longer than five seconds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>The delays of one delivery, each moved by up to a fifth either way.</summary>
    public static IReadOnlyList<TimeSpan> Randomized() => [.. Nominal.Select(d => d * (0.8 + (0.4 * Random.Shared.NextDouble())))];
}
