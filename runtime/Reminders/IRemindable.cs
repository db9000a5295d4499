namespace OrleansSync.Runtime;

/// <summary>Implemented by grains that register reminders.</summary>
public interface IRemindable : IGrain
{
    /// <summary>A reminder fired. Missed ticks (the silo was down, the grain was busy) fire once, late.</summary>
    Task ReceiveReminder(string reminderName, TickStatus status);
}

/// <summary>When a reminder tick was due, and its schedule.</summary>
public readonly record struct TickStatus(DateTimeOffset FirstTickTime, TimeSpan Period, DateTimeOffset CurrentTickTime);

/// <summary>A reminder registered by a grain.</summary>
public interface IGrainReminder
{
    string ReminderName { get; }
}
