namespace OrleansSync.Clients.HubSpot.Model;

/// <summary>
/// <c>POST /automation/v4/actions/callbacks/{callbackId}/complete</c>: the output fields that finish a workflow action
/// answered with BLOCK, <c>hs_execution_state</c> SUCCESS or FAIL_CONTINUE among them.
/// </summary>
public sealed record ActionCallbackCompletion(IReadOnlyDictionary<string, string> OutputFields);
