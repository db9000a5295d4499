using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSync.Api.HubSpot;

/// <summary>
/// The JSON of what HubSpot calls (workflow action, record card and its actions), generated at build time: HubSpot's
/// camelCase, nulls left out (a card property carries <c>currencyCode</c> or <c>optionType</c> only when it has one),
/// and numbers HubSpot may quote.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(WorkflowActionRequest))]
[JsonSerializable(typeof(WorkflowActionResponse))]
[JsonSerializable(typeof(CrmCardResponse))]
[JsonSerializable(typeof(CardActionMessage))]
internal sealed partial class HubSpotAppJsonContext : JsonSerializerContext;
