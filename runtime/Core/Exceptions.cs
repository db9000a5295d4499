namespace OrleansSync.Runtime;

/// <summary>
/// A state write or clear found a different version than the one it read: someone else wrote in between. The
/// runtime deactivates the activation that saw it, so that the next call reads the state afresh.
/// </summary>
public class InconsistentStateException : Exception
{
    public InconsistentStateException(string message, string? storedEtag = null, string? currentEtag = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StoredEtag = storedEtag;
        CurrentEtag = currentEtag;
    }

    public InconsistentStateException(string message) : this(message, null, null) { }

    /// <summary>The version in storage, when known.</summary>
    public string? StoredEtag { get; }

    /// <summary>The version the writer held.</summary>
    public string? CurrentEtag { get; }
}

/// <summary>
/// A write was refused because the writing silo no longer holds the grain's partition at the epoch it activated
/// with (fencing): another silo owns the partition now, or the lease ran out while this silo was unreachable.
/// </summary>
public sealed class PartitionLeaseLostException(string message) : InconsistentStateException(message)
{
    internal static PartitionLeaseLostException For(Storage.PartitionFence fence, string refusedWrite)
        => new($"Silo {fence.SiloId} no longer holds partition {fence.Partition} at epoch {fence.Epoch}; {refusedWrite}.");
}

/// <summary>A call reached a silo that does not own the grain's partition. Cluster clients retry elsewhere.</summary>
public sealed class NotOwnerException(int partition, string siloId)
    : Exception($"Silo {siloId} does not own partition {partition}.")
{
    public int Partition { get; } = partition;
}

/// <summary>A grain call failed on another silo with an exception that could not be recreated here.</summary>
public sealed class RemoteGrainException(string exceptionType, string message)
    : Exception($"{exceptionType}: {message}")
{
    /// <summary>The full name of the exception thrown on the remote silo.</summary>
    public string ExceptionType { get; } = exceptionType;
}

/// <summary>The cluster could not deliver a call: no silo owned the partition in time, or the owner was unreachable.</summary>
public sealed class GrainCallDeliveryException(string message, Exception? innerException = null) : Exception(message, innerException);
