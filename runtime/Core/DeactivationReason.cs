namespace OrleansSync.Runtime;

public enum DeactivationReasonCode
{
    /// <summary>The grain asked for it with <see cref="Grain.DeactivateOnIdle"/>.</summary>
    ApplicationRequested,

    /// <summary>No call reached the grain for longer than the collection age.</summary>
    ActivationIdle,

    /// <summary>A write found a newer version in storage; the next activation reads it again.</summary>
    InconsistentState,

    /// <summary>The silo handed the grain's partition to another silo.</summary>
    PartitionHandedOff,

    /// <summary>The silo lost the grain's partition lease; writes from this activation would be refused.</summary>
    PartitionLost,

    /// <summary>The silo is shutting down.</summary>
    ShuttingDown,
}

public readonly record struct DeactivationReason(DeactivationReasonCode Code, string Description)
{
    public override string ToString() => $"{Code}: {Description}";
}
