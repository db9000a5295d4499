namespace OrleansSync.Runtime.Cluster;

/// <summary>Who this silo is in the cluster: a unique id, and the address other nodes reach it at once it listens.</summary>
public sealed class SiloIdentity
{
    private Uri? _address;

    public SiloIdentity(string siloId) => SiloId = siloId;

    public string SiloId { get; }

    /// <summary>The base address of the silo's internal endpoints; known once the server listens.</summary>
    public Uri Address => _address ?? throw new InvalidOperationException("The silo's address is not known before its server starts.");

    public bool HasAddress => _address is not null;

    internal void SetAddress(Uri address) => _address = address;

    /// <summary>A new, unique silo id: host name plus a random suffix, so that restarts never reuse an identity.</summary>
    public static string NewId() => $"{Environment.MachineName.ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..8]}";

    public override string ToString() => SiloId;
}
