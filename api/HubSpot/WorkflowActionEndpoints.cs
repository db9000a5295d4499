using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansSync.Api.Hosting;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Api.HubSpot;

/// <summary>
/// <c>POST /hubspot/workflow-actions/create-invoice</c>: the custom workflow action "Create QuickBooks invoice" (F14).
/// HubSpot signs the request (<see cref="HubSpotSignatureFilter"/>) and may deliver one execution more than once; its
/// callback id is the Idempotency-Key, so every delivery gets the one invoice. The answer says SUCCESS with the
/// invoice, FAIL_CONTINUE with the reason when a rule refuses, or BLOCK when the work takes longer than
/// <see cref="WorkflowActionOptions.AnswerWithin"/> or meets a failure that may pass — recorded in the inbox first, so
/// that a silo finishes it and completes HubSpot's callback whatever happens to this node.
/// </summary>
public static partial class WorkflowActionEndpoints
{
    public const string CreateInvoicePath = "/hubspot/workflow-actions/create-invoice";

    public static IEndpointRouteBuilder MapWorkflowActionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(CreateInvoicePath, CreateInvoiceAsync)
            .AddEndpointFilter<HubSpotSignatureFilter>()
            .WithTags("HubSpot");
        return endpoints;
    }

    private static async Task<IResult> CreateInvoiceAsync(
        HttpContext context, IGrainFactory grains, IInbox inbox, IOptions<WorkflowActionOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        var (request, invalid) = await Outcomes.ReadJsonAsync(context.Request, HubSpotAppJsonContext.Default.WorkflowActionRequest);
        if (invalid is not null)
            return invalid;
        if (request!.Malformed() is { } malformed)
            return Outcomes.BadRequest("Not an execution of this action", malformed);

        var logger = loggers.CreateLogger(typeof(WorkflowActionEndpoints));
        var (command, wrongInputs) = request.ToCommand(context.TraceIdentifier);
        if (command is null)
            return Answer(WorkflowActionOutputs.Failed(wrongInputs!));

        var creating = grains.Deal(request.PortalId, request.DealId).CreateInvoiceAsync(command);
        var outcome = await WithinAsync(creating, options.Value.AnswerWithin, time, context.RequestAborted);
        if (outcome is not null && !(outcome.Problem is { } problem && WorkflowActionOutputs.MayPass(problem)))
        {
            var final = WorkflowActionOutputs.Final(outcome);
            LogAnswered(logger, request.CallbackId!, request.PortalId, request.DealId, WorkflowActionOutputs.Describe(final));
            return Answer(final);
        }

        // Taking long, or failing in a way that may pass: the inbox keeps the work, a silo finishes it and completes the
        // callback. Recorded before answering, so that BLOCK is never said of work nobody will finish.
        var work = new WorkflowActionWork(request.PortalId, request.DealId, request.CallbackId!, command, time.GetUtcNow() + options.Value.BlockExpiration);
        await inbox.AppendAsync([new InboxEvent(request.PortalId.ToString(CultureInfo.InvariantCulture), WorkflowActionWork.InboxSource, work.CallbackId, work.ToJson())], context.RequestAborted);
        LogBlocked(logger, work.CallbackId, work.PortalId, work.DealId, outcome?.Problem?.Detail ?? $"not done within {options.Value.AnswerWithin.TotalSeconds:0.#} s");
        return Answer(WorkflowActionOutputs.Blocked(options.Value.BlockExpiration));
    }

    /// <summary>The outcome if it comes within <paramref name="limit"/>; null if the call is still running or did not get through.</summary>
    private static async Task<Outcome<CreatedInvoice>?> WithinAsync(Task<Outcome<CreatedInvoice>> call, TimeSpan limit, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return await call.WaitAsync(limit, time, cancellationToken);
        }
        catch (Exception exception) when (exception is TimeoutException or GrainCallDeliveryException)
        {
            // The call goes on, or will be made again from the inbox; whatever it ends with is not waited for here.
            _ = call.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return null;
        }
    }

    private static IResult Answer(IReadOnlyDictionary<string, string> outputFields)
        => TypedResults.Json(new WorkflowActionResponse(outputFields), HubSpotAppJsonContext.Default.WorkflowActionResponse);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow action {CallbackId} of HubSpot account {PortalId} on deal {DealId}: {Outputs}")]
    private static partial void LogAnswered(ILogger logger, string callbackId, long portalId, string dealId, string outputs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow action {CallbackId} of HubSpot account {PortalId} on deal {DealId} answered BLOCK, to be completed later: {Reason}")]
    private static partial void LogBlocked(ILogger logger, string callbackId, long portalId, string dealId, string reason);
}
