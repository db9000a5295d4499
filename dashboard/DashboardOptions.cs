using System.ComponentModel.DataAnnotations;

namespace OrleansSync.Dashboard;

/// <summary>
/// The dashboard's settings. Configuration section <c>Dashboard</c> (also holds <c>WatchWindow</c> and
/// <c>SampleInterval</c>, read by the runtime's <see cref="Runtime.Metrics.DashboardWatch"/>).
/// </summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>
    /// Basic-auth users, name → password (environment: <c>Dashboard__Users__ada=a long password</c>). The operator keys
    /// (<c>Api:AdminKeys</c>) are accepted as well.
    /// </summary>
    public Dictionary<string, string> Users { get; set; } = [];

    /// <summary>Lets anyone in without credentials; off unless switched on (environment: <c>Dashboard__AllowAnonymous=true</c>).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>
    /// The prefix a reverse proxy forwards (<c>/ops</c> serves the dashboard at <c>/ops/dashboard/</c>); a proxy may also
    /// say it per request with <c>X-Forwarded-Prefix</c>.
    /// </summary>
    public string? PathBase { get; set; }

    /// <summary>How long the cookie that <c>?key=</c> sets lets a browser in.</summary>
    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long the serving silo waits for each other silo's stats before showing it as not answering.</summary>
    public TimeSpan SiloStatsTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the serving silo waits for a tenant's grains before showing the tenant as busy.</summary>
    public TimeSpan TenantTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>A reminder is late when it was due longer ago than this and has not fired.</summary>
    public TimeSpan ReminderLateAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A reminder is due soon when it fires within this.</summary>
    public TimeSpan ReminderDueSoonWithin { get; set; } = TimeSpan.FromMinutes(10);

    internal static ValidationResult? Validate(DashboardOptions options)
    {
        if (options.Users.Any(u => string.IsNullOrWhiteSpace(u.Key) || u.Key.Contains(':', StringComparison.Ordinal)))
            return new ValidationResult("Dashboard:Users are keyed by user name, which is not empty and has no ':' (environment: Dashboard__Users__ada=…).");
        if (options.Users.Any(u => (u.Value ?? "").Length < 12))
            return new ValidationResult("Each Dashboard:Users password has 12 characters or more.");
        if (options.PathBase is { Length: > 0 } pathBase && (!pathBase.StartsWith('/') || pathBase.EndsWith('/') || pathBase.Contains("//", StringComparison.Ordinal)))
            return new ValidationResult($"Dashboard:PathBase is a path such as '/ops': it starts with '/' and does not end with one, not '{pathBase}'.");
        if (options.CookieLifetime < TimeSpan.FromMinutes(1))
            return new ValidationResult("Dashboard:CookieLifetime must be at least a minute.");
        if (options.SiloStatsTimeout <= TimeSpan.Zero || options.TenantTimeout <= TimeSpan.Zero)
            return new ValidationResult("Dashboard:SiloStatsTimeout and Dashboard:TenantTimeout must be positive.");
        if (options.ReminderLateAfter < TimeSpan.Zero || options.ReminderDueSoonWithin <= TimeSpan.Zero)
            return new ValidationResult("Dashboard:ReminderLateAfter must be 0 or more and Dashboard:ReminderDueSoonWithin positive.");
        return ValidationResult.Success;
    }
}
