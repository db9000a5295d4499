using System.ComponentModel.DataAnnotations;

namespace OrleansSync.Runtime;

/// <summary>Durable reminders. Configuration section <c>Reminders</c>.</summary>
public sealed class ReminderOptions
{
    public const string SectionName = "Reminders";

    /// <summary>The shortest period a reminder may have (Orleans' default too: reminders are for minutes and days, not milliseconds).</summary>
    public TimeSpan MinimumPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often each silo looks for due reminders in its partitions; a tick fires at most this late.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many due reminders one poll loads at most.</summary>
    public int BatchSize { get; set; } = 1000;

    /// <summary>How many ticks a silo delivers at once.</summary>
    public int MaxConcurrentTicks { get; set; } = 32;

    internal static ValidationResult? Validate(ReminderOptions options)
    {
        if (options.MinimumPeriod <= TimeSpan.Zero)
            return new ValidationResult("Reminders:MinimumPeriod must be positive.");
        if (options.PollInterval <= TimeSpan.Zero)
            return new ValidationResult("Reminders:PollInterval must be positive.");
        if (options.BatchSize < 1 || options.MaxConcurrentTicks < 1)
            return new ValidationResult("Reminders:BatchSize and Reminders:MaxConcurrentTicks must be at least 1.");
        return ValidationResult.Success;
    }
}
