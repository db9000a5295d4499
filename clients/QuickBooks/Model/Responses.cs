using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace OrleansSync.Clients.QuickBooks.Model;

/// <summary>One page of a query's answer.</summary>
public sealed record QueryResult<T>(IReadOnlyList<T> Entities, int? StartPosition, int? MaxResults, int? TotalCount);

/// <summary>What changed since a moment, per entity type (change data capture), deleted objects included.</summary>
public sealed record ChangeSet(IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> Changes, DateTimeOffset? Time)
{
    /// <summary>The changed objects of one type; deleted ones carry only Id, status "Deleted" and MetaData.</summary>
    public IReadOnlyList<T> Of<T>()
        where T : IQuickBooksEntity
        => Changes.TryGetValue(T.EntityName, out var items)
            ? items.Select(item => (T)item.Deserialize(QuickBooksJsonContext.Default.GetTypeInfo(typeof(T))!)!).ToList()
            : [];

    public int Count => Changes.Values.Sum(c => c.Count);
}

/// <summary>One operation of a batch request (at most 30 per batch).</summary>
public sealed class BatchItemRequest
{
    private BatchItemRequest(string batchId, string? operation, string? entityName, JsonNode? entity, string? query, string? optionsData)
    {
        BatchId = batchId;
        Operation = operation;
        EntityName = entityName;
        Entity = entity;
        Query = query;
        OptionsData = optionsData;
    }

    public string BatchId { get; }

    public string? Operation { get; }

    public string? EntityName { get; }

    public JsonNode? Entity { get; }

    public string? Query { get; }

    public string? OptionsData { get; }

    public static BatchItemRequest Create<T>(string batchId, T entity)
        where T : IQuickBooksEntity
        => new(batchId, "create", T.EntityName, ToNode(entity), null, null);

    /// <summary>A sparse update: only the fields set change.</summary>
    public static BatchItemRequest Update<T>(string batchId, T entity)
        where T : QuickBooksEntityBase, IQuickBooksEntity
        => new(batchId, "update", T.EntityName, ToNode(entity with { Sparse = true }), null, null);

    public static BatchItemRequest Delete<T>(string batchId, string id, string syncToken)
        where T : IQuickBooksEntity
        => new(batchId, "delete", T.EntityName, new JsonObject { ["Id"] = id, ["SyncToken"] = syncToken }, null, null);

    public static BatchItemRequest Void<T>(string batchId, string id, string syncToken)
        where T : IQuickBooksEntity
        => new(batchId, "update", T.EntityName, new JsonObject { ["Id"] = id, ["SyncToken"] = syncToken, ["sparse"] = true }, null, "void");

    public static BatchItemRequest ForQuery(string batchId, QuickBooksQuery query) => new(batchId, null, null, null, query.ToString(), null);

    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("bId", BatchId);
        if (Operation is not null)
            writer.WriteString("operation", Operation);
        if (OptionsData is not null)
            writer.WriteString("optionsData", OptionsData);
        if (Query is not null)
            writer.WriteString("Query", Query);
        if (EntityName is not null && Entity is not null)
        {
            writer.WritePropertyName(EntityName);
            Entity.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    private static JsonNode ToNode<T>(T entity)
        => JsonSerializer.SerializeToNode(entity, QuickBooksJsonContext.Default.GetTypeInfo(typeof(T))!)!;
}

/// <summary>The answer to one batch operation: an entity, a query answer, or a fault.</summary>
public sealed record BatchItemResponse(string BatchId, string? EntityName, JsonElement? Entity, JsonElement? QueryResponse, QuickBooksException? Fault)
{
    public bool Succeeded => Fault is null;

    public T GetEntity<T>()
        where T : IQuickBooksEntity
    {
        if (Fault is not null)
            throw Fault;
        if (Entity is not { } entity || EntityName != T.EntityName)
            throw new InvalidOperationException($"Batch item {BatchId} answered {EntityName ?? "no entity"}, not {T.EntityName}.");
        return (T)entity.Deserialize(QuickBooksJsonContext.Default.GetTypeInfo(typeof(T))!)!;
    }
}

/// <summary>The documented error envelope: <c>{"Fault": {"Error": [...], "type": "ValidationFault"}}</c>; read case-insensitively, so it also reads the lowercase shape of 401 answers.</summary>
public sealed record FaultEnvelope
{
    public FaultBody? Fault { get; init; }
}

public sealed record FaultBody
{
    public IReadOnlyList<FaultError>? Error { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }
}

public sealed record FaultError
{
    public string? Message { get; init; }

    public string? Detail { get; init; }

    [JsonPropertyName("code")]
    public string? Code { get; init; }

    [JsonPropertyName("element")]
    public string? Element { get; init; }
}
