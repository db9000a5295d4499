using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OrleansSync.Clients.HubSpot.Model;

namespace OrleansSync.Clients.HubSpot;

/// <summary>
/// HubSpot's API for one installed account (the access token decides which): CRM objects v3, associations v4,
/// properties v3, account info, notes, timeline events and workflow action callbacks. One method per operation;
/// limits, token refresh, retries and errors are the transport's (<see cref="HubSpotTransport"/>).
/// </summary>
public sealed class HubSpotClient
{
    /// <summary>Inputs per batch call.</summary>
    public const int MaxBatchInputs = 100;

    /// <summary>HubSpot refuses to page a search beyond 10,000 results.</summary>
    public const int MaxSearchResults = 10_000;

    public const int MaxSearchPageSize = 200;

    private readonly HubSpotTransport _transport;

    internal HubSpotClient(HubSpotTransport transport) => _transport = transport;

    // CRM objects

    public async Task<CrmObject> GetObjectAsync(long portalId, string objectType, string id, IReadOnlyCollection<string>? properties = null, IReadOnlyCollection<string>? associations = null, CancellationToken cancellationToken = default)
    {
        var query = new Dictionary<string, string?>();
        if (properties is { Count: > 0 })
            query["properties"] = string.Join(',', properties);
        if (associations is { Count: > 0 })
            query["associations"] = string.Join(',', associations);
        var response = await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Get, ObjectPath(objectType, id), $"Read {objectType} {id}", Query: query), cancellationToken);
        return Read(response, HubSpotJsonContext.Default.CrmObject);
    }

    /// <summary>Reads up to 100 records; ids that do not exist are left out of the answer.</summary>
    public async Task<IReadOnlyList<CrmObject>> BatchReadAsync(long portalId, string objectType, IReadOnlyCollection<string> ids, IReadOnlyList<string> properties, CancellationToken cancellationToken = default)
    {
        CheckBatch(ids.Count);
        var body = Write(new BatchReadRequest(properties, ids.Select(id => new BatchId(id)).ToList()), HubSpotJsonContext.Default.BatchReadRequest);
        var response = await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Post, $"crm/v3/objects/{Segment(objectType)}/batch/read", $"Batch read {objectType}", body), cancellationToken);
        return Read(response, HubSpotJsonContext.Default.BatchResult).Results;
    }

    /// <summary>Creates a record. Not retried unless it surely never arrived: a second create would be a second record.</summary>
    public async Task<CrmObject> CreateObjectAsync(long portalId, string objectType, Dictionary<string, string?> properties, IReadOnlyList<AssociationToCreate>? associations = null, CancellationToken cancellationToken = default)
    {
        var body = Write(new CreateObjectRequest(properties, associations), HubSpotJsonContext.Default.CreateObjectRequest);
        var response = await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Post, $"crm/v3/objects/{Segment(objectType)}", $"Create {objectType}", body, Idempotent: false), cancellationToken);
        return Read(response, HubSpotJsonContext.Default.CrmObject);
    }

    /// <summary>Sets properties; an empty string clears one. Writing the same values twice is harmless.</summary>
    public async Task<CrmObject> UpdateObjectAsync(long portalId, string objectType, string id, Dictionary<string, string?> properties, CancellationToken cancellationToken = default)
    {
        var body = Write(new UpdateObjectRequest(properties), HubSpotJsonContext.Default.UpdateObjectRequest);
        var response = await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Patch, ObjectPath(objectType, id), $"Update {objectType} {id}", body), cancellationToken);
        return Read(response, HubSpotJsonContext.Default.CrmObject);
    }

    /// <summary>Updates up to 100 records; answers what succeeded, and throws when some inputs failed.</summary>
    public async Task<IReadOnlyList<CrmObject>> BatchUpdateAsync(long portalId, string objectType, IReadOnlyList<BatchUpdateInput> inputs, CancellationToken cancellationToken = default)
    {
        CheckBatch(inputs.Count);
        var body = Write(new BatchInputs<BatchUpdateInput>(inputs), HubSpotJsonContext.Default.BatchInputsBatchUpdateInput);
        var response = await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Post, $"crm/v3/objects/{Segment(objectType)}/batch/update", $"Batch update {objectType}", body), cancellationToken);
        var result = Read(response, HubSpotJsonContext.Default.BatchResult);
        if (result.NumErrors is > 0)
            throw new HubSpotException($"Batch update of {objectType}: {result.NumErrors} of {inputs.Count} failed: {string.Join("; ", result.Errors?.Select(e => e.Message) ?? [])}", response.Status);
        return result.Results;
    }

    /// <summary>One page of a search (at most 200 records).</summary>
    public async Task<SearchPage> SearchAsync(long portalId, string objectType, SearchRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Limit is < 1 or > MaxSearchPageSize)
            throw new ArgumentOutOfRangeException(nameof(request), request.Limit, $"A search page holds 1 to {MaxSearchPageSize} records.");
        var body = Write(request, HubSpotJsonContext.Default.SearchRequest);
        var response = await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Post, $"crm/v3/objects/{Segment(objectType)}/search", $"Search {objectType}", body, IsSearch: true), cancellationToken);
        return Read(response, HubSpotJsonContext.Default.SearchPage);
    }

    /// <summary>
    /// Every record a search finds, page after page — up to 10,000, which is as far as HubSpot lets a search page;
    /// narrow the filters when <see cref="SearchAllResult.Truncated"/> says more matched.
    /// </summary>
    public async Task<SearchAllResult> SearchAllAsync(long portalId, string objectType, SearchRequest request, CancellationToken cancellationToken = default)
    {
        var results = new List<CrmObject>();
        var page = request with { Limit = MaxSearchPageSize, After = null };
        while (true)
        {
            var answer = await SearchAsync(portalId, objectType, page, cancellationToken);
            results.AddRange(answer.Results);
            var next = answer.Paging?.Next?.After;
            if (next is null)
                return new SearchAllResult(results, answer.Total, Truncated: false);
            if (results.Count + MaxSearchPageSize > MaxSearchResults)
                return new SearchAllResult(results, answer.Total, Truncated: true);
            page = page with { After = next };
        }
    }

    // Associations (v4)

    /// <summary>Every record of <paramref name="toType"/> associated with the record, page after page.</summary>
    public async Task<IReadOnlyList<AssociationResult>> GetAssociationsAsync(long portalId, string fromType, string fromId, string toType, CancellationToken cancellationToken = default)
    {
        var all = new List<AssociationResult>();
        string? after = null;
        do
        {
            var query = new Dictionary<string, string?> { ["limit"] = "500", ["after"] = after };
            var response = await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Get, $"crm/v4/objects/{Segment(fromType)}/{Segment(fromId)}/associations/{Segment(toType)}", $"Read {fromType} {fromId} associations to {toType}", Query: query), cancellationToken);
            var page = Read(response, HubSpotJsonContext.Default.AssociationResults);
            all.AddRange(page.Results);
            after = page.Paging?.Next?.After;
        }
        while (after is not null);
        return all;
    }

    /// <summary>The unlabeled, default association between two records.</summary>
    public Task AssociateDefaultAsync(long portalId, string fromType, string fromId, string toType, string toId, CancellationToken cancellationToken = default)
        => _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Put, $"crm/v4/objects/{Segment(fromType)}/{Segment(fromId)}/associations/default/{Segment(toType)}/{Segment(toId)}", $"Associate {fromType} {fromId} with {toType} {toId}"), cancellationToken);

    public Task AssociateAsync(long portalId, string fromType, string fromId, string toType, string toId, IReadOnlyList<AssociationSpec> types, CancellationToken cancellationToken = default)
        => _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Put, $"crm/v4/objects/{Segment(fromType)}/{Segment(fromId)}/associations/{Segment(toType)}/{Segment(toId)}", $"Associate {fromType} {fromId} with {toType} {toId}", Write(types, HubSpotJsonContext.Default.IReadOnlyListAssociationSpec)), cancellationToken);

    public Task RemoveAssociationAsync(long portalId, string fromType, string fromId, string toType, string toId, CancellationToken cancellationToken = default)
        => _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Delete, $"crm/v4/objects/{Segment(fromType)}/{Segment(fromId)}/associations/{Segment(toType)}/{Segment(toId)}", $"Remove association of {fromType} {fromId} with {toType} {toId}"), cancellationToken);

    /// <summary>The association types between two object types, with their ids (some vary between accounts).</summary>
    public async Task<IReadOnlyList<AssociationLabel>> GetAssociationLabelsAsync(long portalId, string fromType, string toType, CancellationToken cancellationToken = default)
    {
        var response = await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Get, $"crm/v4/associations/{Segment(fromType)}/{Segment(toType)}/labels", $"Read {fromType}-{toType} association labels"), cancellationToken);
        return Read(response, HubSpotJsonContext.Default.AssociationLabels).Results;
    }

    // Properties

    /// <summary>A property's definition, or <c>null</c> when the account has no such property.</summary>
    public async Task<PropertyDefinition?> GetPropertyAsync(long portalId, string objectType, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Get, $"crm/v3/properties/{Segment(objectType)}/{Segment(name)}", $"Read property {objectType}.{name}"), cancellationToken);
            return Read(response, HubSpotJsonContext.Default.PropertyDefinition);
        }
        catch (HubSpotNotFoundException)
        {
            return null;
        }
    }

    public async Task<PropertyDefinition> CreatePropertyAsync(long portalId, string objectType, PropertyDefinition property, CancellationToken cancellationToken = default)
    {
        var body = Write(property, HubSpotJsonContext.Default.PropertyDefinition);
        var response = await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Post, $"crm/v3/properties/{Segment(objectType)}", $"Create property {objectType}.{property.Name}", body, Idempotent: false), cancellationToken);
        return Read(response, HubSpotJsonContext.Default.PropertyDefinition);
    }

    public async Task<PropertyGroup?> GetPropertyGroupAsync(long portalId, string objectType, string groupName, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Get, $"crm/v3/properties/{Segment(objectType)}/groups/{Segment(groupName)}", $"Read property group {objectType}.{groupName}"), cancellationToken);
            return Read(response, HubSpotJsonContext.Default.PropertyGroup);
        }
        catch (HubSpotNotFoundException)
        {
            return null;
        }
    }

    public async Task<PropertyGroup> CreatePropertyGroupAsync(long portalId, string objectType, PropertyGroup group, CancellationToken cancellationToken = default)
    {
        var body = Write(group, HubSpotJsonContext.Default.PropertyGroup);
        var response = await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Post, $"crm/v3/properties/{Segment(objectType)}/groups", $"Create property group {objectType}.{group.Name}", body, Idempotent: false), cancellationToken);
        return Read(response, HubSpotJsonContext.Default.PropertyGroup);
    }

    // Account, notes, timeline

    /// <summary>The account's company currency, time zone and more.</summary>
    public async Task<AccountDetails> GetAccountDetailsAsync(long portalId, CancellationToken cancellationToken = default)
        => Read(await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Get, "account-info/v3/details", "Read account details"), cancellationToken), HubSpotJsonContext.Default.AccountDetails);

    /// <summary>A note on a deal's timeline (what apps without timeline events use).</summary>
    public Task<CrmObject> CreateDealNoteAsync(long portalId, string dealId, string body, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
        => CreateObjectAsync(portalId, CrmObjectTypes.Notes, new Dictionary<string, string?>
        {
            ["hs_note_body"] = body,
            ["hs_timestamp"] = timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        }, [new AssociationToCreate(new AssociationTarget(dealId), [AssociationSpec.HubSpotDefined(AssociationTypeIds.NoteToDeal)])], cancellationToken);

    /// <summary>A timeline event; with an <see cref="TimelineEvent.Id"/> of ours, sending it again overwrites rather than duplicates.</summary>
    public async Task CreateTimelineEventAsync(long portalId, TimelineEvent timelineEvent, CancellationToken cancellationToken = default)
        => await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Post, "integrators/timeline/v3/events", "Create timeline event", Write(timelineEvent, HubSpotJsonContext.Default.TimelineEvent), Idempotent: timelineEvent.Id is not null), cancellationToken);

    // Automation (workflow custom actions)

    /// <summary>
    /// Completes a workflow action answered with BLOCK (scope <c>automation</c>; 204). Sending the same completion
    /// twice finishes nothing twice, so it is retried like a read.
    /// </summary>
    public async Task CompleteActionCallbackAsync(long portalId, string callbackId, IReadOnlyDictionary<string, string> outputFields, CancellationToken cancellationToken = default)
    {
        var body = Write(new ActionCallbackCompletion(outputFields), HubSpotJsonContext.Default.ActionCallbackCompletion);
        await _transport.SendAsync(new HubSpotRequest(portalId, HttpMethod.Post, $"automation/v4/actions/callbacks/{Segment(callbackId)}/complete", $"Complete workflow action callback {callbackId}", body), cancellationToken);
    }

    // Plumbing

    private static string ObjectPath(string objectType, string id) => $"crm/v3/objects/{Segment(objectType)}/{Segment(id)}";

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private static void CheckBatch(int count)
    {
        if (count is 0 or > MaxBatchInputs)
            throw new ArgumentException($"A batch holds 1 to {MaxBatchInputs} inputs, not {count}.");
    }

    private static byte[] Write<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    private static T Read<T>(Http.CapturedResponse response, JsonTypeInfo<T> typeInfo)
        => JsonSerializer.Deserialize(response.Body, typeInfo) ?? throw new HubSpotException($"HubSpot answered an empty {typeof(T).Name}.", response.Status);
}
