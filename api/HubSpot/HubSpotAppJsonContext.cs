using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSync.Api.HubSpot;

/// <summary>
/// The JSON of what HubSpot calls, generated at build time: HubSpot's camelCase, nulls left out, and numbers HubSpot
/// may quote.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(WorkflowActionRequest))]
[JsonSerializable(typeof(WorkflowActionResponse))]
internal sealed partial class HubSpotAppJsonContext : JsonSerializerContext;
