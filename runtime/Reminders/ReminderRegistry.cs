using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Activation;

namespace OrleansSync.Runtime.Reminders;

/// <summary>The reminder operations a grain calls on itself (<see cref="Grain.RegisterOrUpdateReminder"/> and friends).</summary>
internal sealed class ReminderRegistry(IReminderTable table, IOptions<ReminderOptions> options, [FromKeyedServices(GrainClock.Key)] TimeProvider grainClock)
{
    public async Task<IGrainReminder> RegisterOrUpdateAsync(ActivationData activation, string reminderName, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reminderName);
        if (!activation.GrainClass.IsRemindable)
            throw new InvalidOperationException($"{activation.GrainClass.ClassType.Name} registers reminders, so it must implement IRemindable.");
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        var minimum = options.Value.MinimumPeriod;
        if (period < minimum)
            throw new ArgumentOutOfRangeException(nameof(period), period, $"A reminder period must be at least {minimum} (Reminders:MinimumPeriod).");

        var firstTick = grainClock.GetUtcNow() + dueTime;
        await table.UpsertAsync(new ReminderEntry(activation.GrainId, reminderName, activation.Partition, firstTick, period, firstTick), activation.Fence);
        return new GrainReminder(reminderName);
    }

    public async Task UnregisterAsync(ActivationData activation, string reminderName)
        => await table.RemoveAsync(activation.GrainId, reminderName, activation.Fence);

    public async Task<IGrainReminder?> GetAsync(ActivationData activation, string reminderName)
        => await table.ReadAsync(activation.GrainId, reminderName) is { } entry ? new GrainReminder(entry.Name) : null;

    public async Task<IReadOnlyList<IGrainReminder>> GetAllAsync(ActivationData activation)
        => (await table.ReadAsync(activation.GrainId)).Select(entry => (IGrainReminder)new GrainReminder(entry.Name)).ToList();

    private sealed record GrainReminder(string ReminderName) : IGrainReminder;
}
