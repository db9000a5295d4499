namespace OrleansSync.Runtime;

/// <summary>The identity of one grain in the cluster: its class's <see cref="GrainType"/> and its key.</summary>
public readonly record struct GrainId(GrainType Type, string Key)
{
    /// <summary>The tenant this grain belongs to: the key up to its first '/'.</summary>
    public string TenantId => TenantOf(Key);

    public static string TenantOf(string key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? key : key[..slash];
    }

    public override string ToString() => $"{Type.Value}/{Key}";
}
