using System.ComponentModel.DataAnnotations;

namespace OrleansSync.Grains.Sync;

/// <summary>How companies are kept in step with QuickBooks. Configuration section <c>Sync</c>.</summary>
public sealed class SyncOptions
{
    public const string SectionName = "Sync";

    /// <summary>How often each company runs change data capture since its cursor, repairing missed webhooks (F20).</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Each resync looks this far behind its cursor, for changes QuickBooks stamped just before it.</summary>
    public TimeSpan ResyncOverlap { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Above this many changed entities in one run of webhooks, one change data capture reads them all.</summary>
    public int ChangeDataCaptureThreshold { get; set; } = 30;

    internal static ValidationResult? Validate(SyncOptions options)
    {
        if (options.ResyncInterval < TimeSpan.FromSeconds(1))
            return new ValidationResult("Sync:ResyncInterval must be at least one second (e.g. 00:05:00).");
        if (options.ResyncOverlap < TimeSpan.Zero)
            return new ValidationResult("Sync:ResyncOverlap cannot be negative.");
        if (options.ChangeDataCaptureThreshold < 1)
            return new ValidationResult("Sync:ChangeDataCaptureThreshold must be at least 1.");
        return ValidationResult.Success;
    }
}
