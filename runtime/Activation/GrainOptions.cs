using System.ComponentModel.DataAnnotations;

namespace OrleansSync.Runtime;

/// <summary>How activations live and how long calls wait. Configuration section <c>Grains</c>.</summary>
public sealed class GrainOptions
{
    public const string SectionName = "Grains";

    /// <summary>A grain nobody calls for this long is deactivated (its state stays in storage).</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the collector looks for idle grains.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a caller waits for a grain call's answer; <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <see cref="Grain.OnActivateAsync"/> may take before its token is cancelled.</summary>
    public TimeSpan ActivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a deactivation waits for the grain's running call and then for <see cref="Grain.OnDeactivateAsync"/>.
    /// When a partition is handed over, a grain still busy after that is abandoned, so that one stuck call cannot hold
    /// a partition (or a clean shutdown) hostage.
    /// </summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal static ValidationResult? Validate(GrainOptions options)
    {
        if (options.CollectionAge <= TimeSpan.Zero || options.CollectionQuantum <= TimeSpan.Zero)
            return new ValidationResult("Grains:CollectionAge and Grains:CollectionQuantum must be positive.");
        if (options.ResponseTimeout <= TimeSpan.Zero && options.ResponseTimeout != Timeout.InfiniteTimeSpan)
            return new ValidationResult("Grains:ResponseTimeout must be positive.");
        if (options.ActivationTimeout <= TimeSpan.Zero || options.DeactivationTimeout <= TimeSpan.Zero)
            return new ValidationResult("Grains:ActivationTimeout and Grains:DeactivationTimeout must be positive.");
        return ValidationResult.Success;
    }
}
