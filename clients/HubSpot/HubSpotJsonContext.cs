using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansSync.Clients.HubSpot.Model;

namespace OrleansSync.Clients.HubSpot;

/// <summary>HubSpot JSON, generated at build time: camelCase names, nulls left out on writing.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CrmObject))]
[JsonSerializable(typeof(CreateObjectRequest))]
[JsonSerializable(typeof(UpdateObjectRequest))]
[JsonSerializable(typeof(BatchInputs<BatchUpdateInput>))]
[JsonSerializable(typeof(BatchReadRequest))]
[JsonSerializable(typeof(BatchResult))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(SearchPage))]
[JsonSerializable(typeof(AssociationResults))]
[JsonSerializable(typeof(AssociationLabels))]
[JsonSerializable(typeof(IReadOnlyList<AssociationSpec>))]
[JsonSerializable(typeof(PropertyDefinition))]
[JsonSerializable(typeof(PropertyDefinitions))]
[JsonSerializable(typeof(PropertyGroup))]
[JsonSerializable(typeof(AccountDetails))]
[JsonSerializable(typeof(TimelineEvent))]
[JsonSerializable(typeof(ActionCallbackCompletion))]
[JsonSerializable(typeof(HubSpotErrorBody))]
public sealed partial class HubSpotJsonContext : JsonSerializerContext;
