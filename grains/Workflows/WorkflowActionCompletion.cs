using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Grains.Workflows;

/// <summary>
/// Finishes the workflow actions the api answered with BLOCK. The api recorded each in the durable inbox before
/// answering, so the work survives the api node and any silo; delivered here, at least once, it goes to the
/// execution's grain. Work that must be tried again throws, so that the inbox tries again later.
/// </summary>
public static class WorkflowActionCompletion
{
    public const string Source = WorkflowActionWork.InboxSource;

    public static async Task DeliverAsync(IGrainFactory grains, InboxMessage message)
    {
        var work = WorkflowActionWork.FromJson(message.Payload);
        var result = await grains.WorkflowAction(work.PortalId, work.CallbackId).CompleteAsync(work, message.Attempts);
        if (!result.Completed)
            throw new WorkflowActionPendingException($"Workflow action callback {work.CallbackId} is not complete yet: {result.RetryBecause}");
    }
}

/// <summary>A blocked workflow action could not be finished this time; the inbox tries again.</summary>
public sealed class WorkflowActionPendingException(string message) : Exception(message);
