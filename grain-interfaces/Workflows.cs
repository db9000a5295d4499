using System.Globalization;
using System.Text.Json;
using System.Xml;
using OrleansSync.Runtime;

namespace OrleansSync.GrainInterfaces;

/// <summary>
/// One execution of the workflow action "Create QuickBooks invoice" (F14) that could not be answered at once: the deal
/// enrolled, HubSpot's callback id, and the command — kept whole, so that finishing it later asks for exactly what the
/// first try asked for, under the same Idempotency-Key.
/// </summary>
/// <param name="ExpiresAt">When HubSpot stops waiting for the callback (the BLOCK's expiration): retries end before it.</param>
public sealed record WorkflowActionWork(long PortalId, string DealId, string CallbackId, CreateInvoiceCommand Command, DateTimeOffset? ExpiresAt = null)
{
    /// <summary>The inbox source of work the api answered with BLOCK; the silo finishes it and completes the callback.</summary>
    public const string InboxSource = "orleanssync.workflow-action";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The Idempotency-Key of an execution: HubSpot may deliver one callback id several times.</summary>
    public static string IdempotencyKey(string callbackId) => "workflow:" + callbackId;

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static WorkflowActionWork FromJson(string json)
        => JsonSerializer.Deserialize<WorkflowActionWork>(json, Json) ?? throw new JsonException("The workflow action work is null.");
}

/// <summary>
/// What the action answers HubSpot, in its output fields: <c>hs_execution_state</c> SUCCESS with the invoice, or
/// FAIL_CONTINUE with the reason (the workflow goes on, the reason shows in its history), or BLOCK while the work
/// goes on — completed later through HubSpot's callback endpoint with SUCCESS or FAIL_CONTINUE.
/// </summary>
public static class WorkflowActionOutputs
{
    public const string ExecutionState = "hs_execution_state";
    public const string ExpirationDuration = "hs_expiration_duration";
    public const string Success = "SUCCESS";
    public const string FailContinue = "FAIL_CONTINUE";
    public const string Block = "BLOCK";

    public static IReadOnlyDictionary<string, string> Succeeded(CreatedInvoice created) => new Dictionary<string, string>
    {
        [ExecutionState] = Success,
        ["invoiceId"] = created.Invoice.Snapshot.InvoiceId,
        ["invoiceNumber"] = created.Invoice.Snapshot.DocNumber ?? "",
        ["invoiceStatus"] = InvoiceStatusLabels.Label(created.Invoice.Status),
    };

    public static IReadOnlyDictionary<string, string> Failed(string reason) => new Dictionary<string, string>
    {
        [ExecutionState] = FailContinue,
        ["errorMessage"] = reason,
    };

    /// <summary>HubSpot holds the workflow until the callback completes, or until this long has passed (ISO 8601, e.g. P1D).</summary>
    public static IReadOnlyDictionary<string, string> Blocked(TimeSpan expiresAfter) => new Dictionary<string, string>
    {
        [ExecutionState] = Block,
        [ExpirationDuration] = XmlConvert.ToString(expiresAfter),
    };

    /// <summary>The final answer for an outcome: the invoice, or the refusal's reason.</summary>
    public static IReadOnlyDictionary<string, string> Final(Outcome<CreatedInvoice> outcome)
        => outcome.Problem is { } problem ? Failed(problem.Detail) : Succeeded(outcome.Value!);

    /// <summary>
    /// A failure that may pass — HubSpot or QuickBooks unavailable, rate limited, failing — rather than a refusal that
    /// would answer the same again.
    /// </summary>
    public static bool MayPass(Problem problem) => problem.Kind == ProblemKind.Upstream;

    public static string Describe(IReadOnlyDictionary<string, string> outputs)
        => string.Join(", ", outputs.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Key}={o.Value}")));
}

/// <summary>Whether a blocked execution was completed at HubSpot, or why it must be tried again.</summary>
public sealed record WorkflowCallbackResult(bool Completed, string? RetryBecause)
{
    public static WorkflowCallbackResult Done { get; } = new(true, null);

    public static WorkflowCallbackResult Retry(string because) => new(false, because);
}

/// <summary>
/// One blocked execution of the workflow action (key <c>{portalId}/workflow-actions/{callbackId}</c>): finishes the
/// invoice — the deal grain answers the first result again if the first try got there — and completes HubSpot's
/// callback with it.
/// </summary>
public interface IWorkflowActionGrain : IGrainWithStringKey, IRemindable
{
    /// <summary>
    /// Takes the work and tries it; a failure that may pass is tried again by the grain's own reminder until the
    /// execution expires, when HubSpot is told FAIL_CONTINUE. Once this answers, the work is the grain's: durable in its state.
    /// </summary>
    Task<WorkflowCallbackResult> CompleteAsync(WorkflowActionWork work);
}
