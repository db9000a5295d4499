using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// The HubSpot sandbox's JSON, source-generated: web defaults (camelCase, as HubSpot), nulls left out unless a type
/// says otherwise, timestamps as HubSpot writes them.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(HubSpotTimestampConverter)])]
[JsonSerializable(typeof(HubSpotErrorBody))]
[JsonSerializable(typeof(RateLimitErrorBody))]
[JsonSerializable(typeof(OAuthErrorBody))]
[JsonSerializable(typeof(OAuthTokenResponse))]
[JsonSerializable(typeof(AccessTokenInfo))]
[JsonSerializable(typeof(RefreshTokenInfo))]
[JsonSerializable(typeof(SimplePublicObject))]
[JsonSerializable(typeof(ObjectPage))]
[JsonSerializable(typeof(SearchPage))]
[JsonSerializable(typeof(BatchResponse<SimplePublicObject>))]
[JsonSerializable(typeof(BatchResponse<DefaultAssociation>))]
[JsonSerializable(typeof(BatchResponse<LabelsBetweenObjectPair>))]
[JsonSerializable(typeof(BatchResponse<AssociatedFrom>))]
[JsonSerializable(typeof(BatchResponse<PropertyDefinition>))]
[JsonSerializable(typeof(BatchResponse<TimelineEvent>))]
[JsonSerializable(typeof(ObjectCreateInput))]
[JsonSerializable(typeof(ObjectUpdateInput))]
[JsonSerializable(typeof(BatchCreateRequest))]
[JsonSerializable(typeof(BatchUpdateRequest))]
[JsonSerializable(typeof(BatchReadRequest))]
[JsonSerializable(typeof(BatchArchiveRequest))]
[JsonSerializable(typeof(MergeRequest))]
[JsonSerializable(typeof(SearchRequest))]
[JsonSerializable(typeof(List<AssociationSpec>))]
[JsonSerializable(typeof(AssociationPage))]
[JsonSerializable(typeof(LabelsBetweenObjectPair))]
[JsonSerializable(typeof(AssociationLabels))]
[JsonSerializable(typeof(AssociationBatchRequest))]
[JsonSerializable(typeof(AssociationBatchReadRequest))]
[JsonSerializable(typeof(AssociationBatchArchiveRequest))]
[JsonSerializable(typeof(PropertyDefinition))]
[JsonSerializable(typeof(PropertyList))]
[JsonSerializable(typeof(PropertyCreateInput))]
[JsonSerializable(typeof(PropertyUpdateInput))]
[JsonSerializable(typeof(PropertyBatchReadRequest))]
[JsonSerializable(typeof(PropertyBatchCreateRequest))]
[JsonSerializable(typeof(PropertyBatchArchiveRequest))]
[JsonSerializable(typeof(PropertyGroup))]
[JsonSerializable(typeof(PropertyGroupInput))]
[JsonSerializable(typeof(PropertyGroupList))]
[JsonSerializable(typeof(PipelineList))]
[JsonSerializable(typeof(AccountDetails))]
[JsonSerializable(typeof(CompanyCurrency))]
[JsonSerializable(typeof(TimelineTemplateInput))]
[JsonSerializable(typeof(TimelineTemplate))]
[JsonSerializable(typeof(TimelineTemplateList))]
[JsonSerializable(typeof(TimelineEventInput))]
[JsonSerializable(typeof(TimelineEventBatchInput))]
[JsonSerializable(typeof(TimelineEvent))]
[JsonSerializable(typeof(TimelineEventList))]
[JsonSerializable(typeof(List<HubSpotWebhookEvent>))]
[JsonSerializable(typeof(AdminRecordInput))]
[JsonSerializable(typeof(AdminRecord))]
[JsonSerializable(typeof(List<AdminPortal>))]
[JsonSerializable(typeof(CallbackCompleteInput))]
[JsonSerializable(typeof(List<WorkflowCallbackCompletion>))]
public sealed partial class HubSpotJsonContext : JsonSerializerContext;

/// <summary>
/// The options in use: the generated context with an encoder that leaves quotes and apostrophes alone, so that
/// messages read as HubSpot's (<c>Property \"foo\" does not exist</c>, not <c>\u0022</c>).
/// </summary>
public static class HubSpotJson
{
    public static HubSpotJsonContext Context { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new HubSpotTimestampConverter() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
