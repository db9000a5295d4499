using System.ComponentModel.DataAnnotations;

namespace OrleansSync.Runtime.Outbox;

/// <summary>The durable outbox and its publisher. Configuration section <c>Outbox</c>.</summary>
public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>After this many failed attempts an event is marked failed, and the events behind it move on.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait after the first failure; it doubles after each further one.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one subscriber may take over one event before the attempt counts as failed.</summary>
    public TimeSpan SubscriberTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many events of a partition are read at a time.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How often a silo looks for events it was not told about (appended by another node, retries now due); event
    /// streams look for new events at this interval too, or every second if that is sooner.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many partitions a silo publishes at the same time.</summary>
    public int MaxConcurrentPartitions { get; set; } = 16;

    /// <summary>Published (and failed) events are kept this long, for operators and streams to read, then removed.</summary>
    public TimeSpan RetainPublishedFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How many of the latest published events each silo keeps in memory (<see cref="RecentEvents"/>).</summary>
    public int RecentEventsCapacity { get; set; } = 1000;

    internal TimeSpan RetryDelay(int failures)
    {
        var delay = FirstRetryDelay.Ticks * Math.Pow(2, Math.Max(0, failures - 1));
        return TimeSpan.FromTicks((long)Math.Min(delay, MaxRetryDelay.Ticks));
    }

    internal static ValidationResult? Validate(OutboxOptions options)
    {
        if (options.MaxAttempts < 1 || options.BatchSize < 1 || options.MaxConcurrentPartitions < 1 || options.RecentEventsCapacity < 1)
            return new ValidationResult("Outbox:MaxAttempts, Outbox:BatchSize, Outbox:MaxConcurrentPartitions and Outbox:RecentEventsCapacity must be at least 1.");
        if (options.FirstRetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.FirstRetryDelay)
            return new ValidationResult("Outbox:FirstRetryDelay must be positive and at most Outbox:MaxRetryDelay.");
        if (options.PollInterval <= TimeSpan.Zero || options.SubscriberTimeout <= TimeSpan.Zero || options.RetainPublishedFor <= TimeSpan.Zero)
            return new ValidationResult("Outbox:PollInterval, Outbox:SubscriberTimeout and Outbox:RetainPublishedFor must be positive.");
        return ValidationResult.Success;
    }
}
