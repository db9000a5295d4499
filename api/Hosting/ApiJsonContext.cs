using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansSync.Api.Operators;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Api.Hosting;

/// <summary>The api's JSON, generated at build time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(IReadOnlyList<SiloView>))]
[JsonSerializable(typeof(IReadOnlyList<DeadLetter>))]
[JsonSerializable(typeof(IReadOnlyList<InboxBacklog>))]
[JsonSerializable(typeof(ReplayedEvent))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
