using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSync.Clients.HubSpot;
using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Common;
using OrleansSync.Runtime;

namespace OrleansSync.Grains.Workflows;

public sealed class WorkflowActionState
{
    /// <summary>The work, until HubSpot has been told how it ended.</summary>
    public WorkflowActionWork? Work { get; set; }

    public DateTimeOffset? TakenAt { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public bool Completed { get; set; }
}

/// <summary>
/// One execution of the workflow action "Create QuickBooks invoice" that the api answered with BLOCK (key
/// <c>{portalId}/workflow-actions/{callbackId}</c>): asks the deal for the invoice again under the execution's
/// Idempotency-Key — the deal answers the first result if the first try got there, and creates it otherwise — and
/// completes HubSpot's callback with SUCCESS or FAIL_CONTINUE. A failure that may pass (HubSpot or QuickBooks
/// unavailable) is tried again every minute by a reminder — the work kept in the grain's state, not holding up the
/// tenant's inbox — until shortly before the execution expires, when HubSpot is told rather than left waiting.
/// </summary>
public sealed partial class WorkflowActionGrain(
    [PersistentState("workflow-action")] IPersistentState<WorkflowActionState> state,
    HubSpotClient hubSpot,
    [FromKeyedServices(GrainClock.Key)] TimeProvider clock,
    ILogger<WorkflowActionGrain> logger) : Grain, IWorkflowActionGrain
{
    private const string RetryReminder = "complete";
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMinutes(1);

    /// <summary>Without an expiration from the api, HubSpot's default for BLOCK is a week; a day is plenty to try.</summary>
    private static readonly TimeSpan DefaultPatience = TimeSpan.FromDays(1);

    /// <summary>The last try comes this long before the execution expires, so that HubSpot still takes the answer.</summary>
    private static readonly TimeSpan AnswerBeforeExpiry = TimeSpan.FromMinutes(5);

    private WorkflowActionState Action => state.State;

    public async Task<WorkflowCallbackResult> CompleteAsync(WorkflowActionWork work)
    {
        if (Action.Completed)
            return WorkflowCallbackResult.Done; // a redelivery of work already finished
        if (Action.Work is null)
        {
            Action.Work = work;
            Action.TakenAt = clock.GetUtcNow();
            await state.WriteStateAsync();
        }

        return await TryAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == RetryReminder)
            await TryAsync();
    }

    private async Task<WorkflowCallbackResult> TryAsync()
    {
        if (Action.Completed || Action.Work is not { } work)
        {
            await StopRetryingAsync();
            return WorkflowCallbackResult.Done;
        }

        var deadline = (work.ExpiresAt ?? Action.TakenAt!.Value + DefaultPatience) - AnswerBeforeExpiry;
        var lastAttempt = clock.GetUtcNow() + RetryEvery >= deadline;
        Action.Attempts++;
        var result = await AttemptAsync(work, lastAttempt);
        if (result.Completed)
        {
            Action.Completed = true;
            Action.Work = null;
            Action.LastError = null;
            await state.WriteStateAsync();
            await StopRetryingAsync();
            return result;
        }

        Action.LastError = result.RetryBecause;
        await state.WriteStateAsync();
        await RegisterOrUpdateReminder(RetryReminder, RetryEvery, RetryEvery);
        LogRetrying(work.CallbackId, work.PortalId, Action.Attempts, result.RetryBecause);
        return result;
    }

    private async Task<WorkflowCallbackResult> AttemptAsync(WorkflowActionWork work, bool lastAttempt)
    {
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
            return WorkflowCallbackResult.Done;
        }

        LogCompleted(work.CallbackId, work.PortalId, work.DealId, WorkflowActionOutputs.Describe(outputs));
        return WorkflowCallbackResult.Done;
    }

    private async Task StopRetryingAsync()
    {
        if (await GetReminder(RetryReminder) is { } reminder)
            await UnregisterReminder(reminder);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Completed workflow action callback {CallbackId} of HubSpot account {PortalId} for deal {DealId}: {Outputs}")]
    private partial void LogCompleted(string callbackId, long portalId, string dealId, string outputs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow action callback {CallbackId} of HubSpot account {PortalId} could not be completed: {Detail}")]
    private partial void LogNotCompleted(Exception exception, string callbackId, long portalId, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow action callback {CallbackId} of HubSpot account {PortalId}: attempt {Attempts} did not finish ({Reason}); trying again in a minute")]
    private partial void LogRetrying(string callbackId, long portalId, int attempts, string? reason);
}
