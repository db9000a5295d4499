using System.Text.Json;

namespace OrleansSync.Runtime;

/// <summary>
/// How grain state, call arguments and results become JSON. Add source-generated contexts to
/// <see cref="JsonSerializerOptions"/>'s resolver chain to serialize without reflection.
/// </summary>
public sealed class GrainSerializationOptions
{
    public JsonSerializerOptions JsonSerializerOptions { get; } = new(JsonSerializerDefaults.Web);
}
