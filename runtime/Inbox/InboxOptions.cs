using System.ComponentModel.DataAnnotations;

namespace OrleansSync.Runtime.Inbox;

/// <summary>The durable inbox. Configuration section <c>Inbox</c>.</summary>
public sealed class InboxOptions
{
    public const string SectionName = "Inbox";

    /// <summary>After this many failed deliveries an event is dead-lettered, and the events behind it move on.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait after the first failure; it doubles after each further one.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many events of a partition are read at a time.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How often a silo looks for work it was not told about (events appended elsewhere, retries now due).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many partitions a silo drains at the same time.</summary>
    /// <remarks>
    /// A drain waiting on a tenant's HubSpot or QuickBooks rate limit keeps its slot, so slots are many: 16 left 34 of
    /// 50 busy tenants idle with budget to spare (docs/PERFORMANCE.md, real time at 1,000 changes/s).
    /// </remarks>
    public int MaxConcurrentPartitions { get; set; } = 64;

    /// <summary>Delivered events are kept this long (for audit and replay), then removed.</summary>
    public TimeSpan RetainProcessedFor { get; set; } = TimeSpan.FromDays(7);

    internal TimeSpan RetryDelay(int failures)
    {
        var delay = FirstRetryDelay.Ticks * Math.Pow(2, Math.Max(0, failures - 1));
        return TimeSpan.FromTicks((long)Math.Min(delay, MaxRetryDelay.Ticks));
    }

    internal static ValidationResult? Validate(InboxOptions options)
    {
        if (options.MaxAttempts < 1 || options.BatchSize < 1 || options.MaxConcurrentPartitions < 1)
            return new ValidationResult("Inbox:MaxAttempts, Inbox:BatchSize and Inbox:MaxConcurrentPartitions must be at least 1.");
        if (options.FirstRetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.FirstRetryDelay)
            return new ValidationResult("Inbox:FirstRetryDelay must be positive and at most Inbox:MaxRetryDelay.");
        if (options.PollInterval <= TimeSpan.Zero || options.RetainProcessedFor <= TimeSpan.Zero)
            return new ValidationResult("Inbox:PollInterval and Inbox:RetainProcessedFor must be positive.");
        return ValidationResult.Success;
    }
}
