using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Clients.HubSpot;
using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Common;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Grains.Workflows;

/// <summary>
/// One execution of the workflow action "Create QuickBooks invoice" that the api answered with BLOCK (key
/// <c>{portalId}/workflow-actions/{callbackId}</c>): asks the deal for the invoice again under the execution's
/// Idempotency-Key — the deal answers the first result if the first try got there, and creates it otherwise — and
/// completes HubSpot's callback with SUCCESS or FAIL_CONTINUE. A failure that may pass (HubSpot or QuickBooks
/// unavailable) asks to be tried again, until the last attempt, which tells HubSpot rather than leave the workflow
/// waiting for nothing.
/// </summary>
public sealed partial class WorkflowActionGrain(HubSpotClient hubSpot, IOptions<InboxOptions> inbox, ILogger<WorkflowActionGrain> logger) : Grain, IWorkflowActionGrain
{
    public async Task<WorkflowCallbackResult> CompleteAsync(WorkflowActionWork work, int failedAttempts)
    {
        var lastAttempt = failedAttempts + 1 >= inbox.Value.MaxAttempts;
        Outcome<CreatedInvoice> created;
        try
        {
            created = await GrainFactory.Deal(work.PortalId, work.DealId).CreateInvoiceAsync(work.Command);
        }
        catch (TimeoutException slow)
        {
            created = Problem.Upstream("Took too long", $"Creating the invoice from deal {work.DealId} took too long ({slow.Message}).");
        }

        if (created.Problem is { } problem && WorkflowActionOutputs.MayPass(problem) && !lastAttempt)
            return WorkflowCallbackResult.Retry(problem.Detail);

        var outputs = WorkflowActionOutputs.Final(created);
        try
        {
            await hubSpot.CompleteActionCallbackAsync(work.PortalId, work.CallbackId, outputs);
        }
        catch (Exception exception) when (Upstream.IsUpstream(exception))
        {
            var failed = Upstream.ToProblem(exception, $"Completing workflow action callback {work.CallbackId}");
            if (WorkflowActionOutputs.MayPass(failed) && !lastAttempt)
                return WorkflowCallbackResult.Retry(failed.Detail);

            // Refused (the execution expired, or was completed already): there is nobody left to tell.
            LogNotCompleted(exception, work.CallbackId, work.PortalId, failed.Detail);
            DeactivateOnIdle();
            return WorkflowCallbackResult.Done;
        }

        LogCompleted(work.CallbackId, work.PortalId, work.DealId, WorkflowActionOutputs.Describe(outputs));
        DeactivateOnIdle();
        return WorkflowCallbackResult.Done;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Completed workflow action callback {CallbackId} of HubSpot account {PortalId} for deal {DealId}: {Outputs}")]
    private partial void LogCompleted(string callbackId, long portalId, string dealId, string outputs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow action callback {CallbackId} of HubSpot account {PortalId} could not be completed: {Detail}")]
    private partial void LogNotCompleted(Exception exception, string callbackId, long portalId, string detail);
}
