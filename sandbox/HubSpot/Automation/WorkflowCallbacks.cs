using System.Text.Json;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>The body of <c>POST /automation/v4/actions/callbacks/{callbackId}/complete</c>.</summary>
public sealed record CallbackCompleteInput(Dictionary<string, JsonElement>? OutputFields);

/// <summary>A workflow action the app completed after answering BLOCK: which, when, and with what output fields.</summary>
public sealed record WorkflowCallbackCompletion(string CallbackId, long PortalId, IReadOnlyDictionary<string, string> OutputFields, DateTimeOffset CompletedAt)
{
    public string ExecutionState => OutputFields.GetValueOrDefault(AutomationEndpoints.ExecutionState) ?? "";
}

/// <summary>A portal's completed workflow action callbacks, in the order they came; a callback completed twice is listed twice.</summary>
public sealed class WorkflowCallbackStore
{
    private readonly List<WorkflowCallbackCompletion> _completions = [];

    public void Add(WorkflowCallbackCompletion completion) => _completions.Add(completion);

    public IReadOnlyList<WorkflowCallbackCompletion> All(string? callbackId)
        => [.. _completions.Where(c => callbackId is null || c.CallbackId == callbackId)];
}

/// <summary>
/// Workflow custom actions (Automation Actions v4), the part an app calls: completing an execution it answered with
/// BLOCK. HubSpot answers 204; an execution state other than SUCCESS or FAIL_CONTINUE is a validation error. The
/// sandbox sends no action executions itself — the tests and curl play HubSpot there — and records every completion
/// for <c>GET /sandbox/hubspot/admin/workflow-callbacks</c>.
/// </summary>
public static class AutomationEndpoints
{
    public const string ExecutionState = "hs_execution_state";

    private static readonly string[] FinalStates = ["SUCCESS", "FAIL_CONTINUE"];

    public static RouteGroupBuilder MapAutomation(this RouteGroupBuilder api)
    {
        api.MapPost("/automation/v4/actions/callbacks/{callbackId}/complete", Complete);
        return api;
    }

    private static async Task<IResult> Complete(string callbackId, HttpContext http, SandboxClock clock)
    {
        var (input, bodyError) = await HubSpotRequestBody.ReadAsync(http.Request, HubSpotJson.Context.CallbackCompleteInput);
        if (bodyError is not null)
            return bodyError.ToResult();
        if (input!.OutputFields is null)
            return HubSpotError.Validation("Invalid input JSON on line 1, column 1: outputFields is required").ToResult();

        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, raw) in input.OutputFields)
        {
            if (HubSpotRequestBody.PropertyValue(raw) is not { } value)
                return HubSpotError.Validation($"Output field {name} must be a string, number or boolean, not {raw.ValueKind}.").ToResult();
            outputs[name] = value;
        }

        var state = outputs.GetValueOrDefault(ExecutionState);
        if (string.IsNullOrEmpty(state))
            return HubSpotError.Validation($"outputFields must include {ExecutionState} to complete callback {callbackId}.").ToResult();
        if (!FinalStates.Contains(state))
            return HubSpotError.Validation($"{ExecutionState} '{state}' cannot complete a callback; use one of {string.Join(", ", FinalStates)}.").ToResult();

        var portal = HubSpotCaller.Portal(http);
        lock (portal.Sync)
            portal.WorkflowCallbacks.Add(new WorkflowCallbackCompletion(callbackId, portal.PortalId, outputs, clock.GetUtcNow()));
        return Results.NoContent();
    }
}
