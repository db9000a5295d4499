using System.Text;

namespace OrleansSync.Runtime;

/// <summary>
/// Maps a tenant to one of the cluster's partitions. The hash is fixed (FNV-1a over the UTF-8 bytes) because every
/// silo and every api node must agree on it, across processes, machines and .NET versions —
/// <see cref="string.GetHashCode()"/> is randomised per process and would not do.
/// </summary>
public sealed class TenantPartitioner
{
    public TenantPartitioner(int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        PartitionCount = partitionCount;
    }

    public int PartitionCount { get; }

    public int GetPartition(string tenantId) => (int)(Fnv1a(tenantId) % (uint)PartitionCount);

    public int GetPartitionOfKey(string grainKey) => GetPartition(GrainId.TenantOf(grainKey));

    private static uint Fnv1a(string text)
    {
        const uint offsetBasis = 2166136261;
        const uint prime = 16777619;

        Span<byte> buffer = text.Length <= 128 ? stackalloc byte[text.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        var length = Encoding.UTF8.GetBytes(text, buffer);

        var hash = offsetBasis;
        foreach (var b in buffer[..length])
            hash = (hash ^ b) * prime;
        return hash;
    }
}
