using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansSync.GrainInterfaces;

namespace OrleansSync.Api.HubSpot;

/// <summary>
/// What HubSpot sends to a custom workflow action's URL (HUBSPOT-API.md §9): the execution's callback id, the account
/// and action, the enrolled object with the properties the definition asked for, and the input fields as the workflow
/// set them. Real requests carry more (<c>fields</c>, <c>origin.extensionDefinitionId</c>, …); it is not read.
/// </summary>
public sealed record WorkflowActionRequest(
    string? CallbackId,
    WorkflowActionOrigin? Origin,
    WorkflowActionContext? Context,
    [property: JsonPropertyName("object")] WorkflowActionObject? EnrolledObject,
    Dictionary<string, JsonElement>? InputFields)
{
    /// <summary>The one object type the action is defined for.</summary>
    public const string DealObjectType = "DEAL";

    public const int MaxCallbackIdLength = 200;
    public const int MaxDueDays = 3650;
    public const int MaxMessageLength = 1000;

    public long PortalId => Origin!.PortalId!.Value;

    public string DealId => EnrolledObject!.ObjectId!.Value.ToString(CultureInfo.InvariantCulture);

    /// <summary>What makes this not an execution of our action, or null when it is one.</summary>
    public string? Malformed()
    {
        if (string.IsNullOrEmpty(CallbackId))
            return "callbackId is required.";
        if (CallbackId.Length > MaxCallbackIdLength || !CallbackId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            return $"callbackId '{CallbackId}' is not a HubSpot callback id (letters, digits and - _ . : only, at most {MaxCallbackIdLength}).";
        if (Origin?.PortalId is not > 0)
            return "origin.portalId is required.";
        if (EnrolledObject?.ObjectId is not > 0)
            return "object.objectId is required.";
        if (!string.Equals(EnrolledObject.ObjectType, DealObjectType, StringComparison.OrdinalIgnoreCase))
            return $"object.objectType is '{EnrolledObject.ObjectType}': \"Create QuickBooks invoice\" runs on deals ({DealObjectType}) only.";
        return null;
    }

    /// <summary>
    /// The create command the input fields ask for — <c>realmId</c>, <c>source</c> (scratch, or quote with
    /// <c>quoteId</c>), <c>termId</c>, <c>dueDays</c>, <c>message</c>, all optional — or what is wrong with them, in
    /// words for the person who set up the workflow. The customer is matched, or created when none matches.
    /// </summary>
    public (CreateInvoiceCommand? Command, string? Error) ToCommand(string requestId)
    {
        var errors = new List<string>();
        var source = Input("source")?.ToLowerInvariant() switch
        {
            null or "scratch" => InvoiceSourceKind.Scratch,
            "quote" => InvoiceSourceKind.Quote,
            var other => Fail($"source '{other}' is neither scratch nor quote", InvoiceSourceKind.Scratch),
        };
        var quoteId = Input("quoteId");
        if (source == InvoiceSourceKind.Quote && quoteId is null)
            errors.Add("source is quote, but quoteId is empty");
        int? dueDays = Input("dueDays") is { } days
            ? int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed <= MaxDueDays
                ? parsed
                : Fail<int?>($"dueDays '{days}' is not a whole number of days from 0 to {MaxDueDays}", null)
            : null;
        var message = Input("message");
        if (message is { Length: > MaxMessageLength })
            errors.Add($"message is longer than {MaxMessageLength:N0} characters");
        if (errors.Count > 0)
            return (null, $"The action's fields are not right: {string.Join("; ", errors)}. Nothing was created.");

        return (new CreateInvoiceCommand(
            Input("realmId"),
            source,
            source == InvoiceSourceKind.Quote ? quoteId : null,
            CustomerMode.MatchOrCreate,
            CustomerId: null,
            CustomerDisplayName: null,
            Lines: null,
            TaxCodeId: null,
            Input("termId"),
            InvoiceDate: null,
            DueDate: null,
            message,
            WorkflowActionWork.IdempotencyKey(CallbackId!),
            requestId,
            dueDays), null);

        T Fail<T>(string error, T fallback)
        {
            errors.Add(error);
            return fallback;
        }
    }

    /// <summary>An input field as text; HubSpot sends strings, and numbers for number fields. Empty is absent.</summary>
    private string? Input(string name)
    {
        if (InputFields is null || !InputFields.TryGetValue(name, out var value))
            return null;
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }
}

public sealed record WorkflowActionOrigin(long? PortalId, long? ActionDefinitionId, long? ActionDefinitionVersion);

public sealed record WorkflowActionContext(string? Source, long? WorkflowId);

public sealed record WorkflowActionObject(long? ObjectId, string? ObjectType, Dictionary<string, JsonElement>? Properties);

/// <summary>The action's answer: <c>{"outputFields": {"hs_execution_state": …, …}}</c>.</summary>
public sealed record WorkflowActionResponse(IReadOnlyDictionary<string, string> OutputFields);
