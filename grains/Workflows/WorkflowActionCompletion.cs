using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Grains.Workflows;

/// <summary>
/// Finishes the workflow actions the api answered with BLOCK. The api recorded each in the durable inbox before
/// answering, so the work survives the api node and any silo; delivered here, at least once, it goes to the
/// execution's grain, which keeps it until it is done.
/// </summary>
public static class WorkflowActionCompletion
{
    public const string Source = WorkflowActionWork.InboxSource;

    public static async Task DeliverAsync(IGrainFactory grains, InboxMessage message)
    {
        var work = WorkflowActionWork.FromJson(message.Payload);
        // Once the grain has it, the work is durable in the grain's state and retried by its reminder: the inbox is done.
        await grains.WorkflowAction(work.PortalId, work.CallbackId).CompleteAsync(work);
    }
}
