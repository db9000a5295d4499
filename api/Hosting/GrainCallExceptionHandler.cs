using Microsoft.AspNetCore.Diagnostics;
using OrleansSync.Runtime;

namespace OrleansSync.Api.Hosting;

/// <summary>
/// Grain calls that did not come back become problem details that say what happened and what to do: a call that
/// took too long may still finish (retrying with the same Idempotency-Key is safe), and a cluster without a silo for
/// the tenant just now is unavailable, not broken.
/// </summary>
internal sealed class GrainCallExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            TimeoutException => (StatusCodes.Status504GatewayTimeout, "Took too long", $"{exception.Message} The work may still finish: retry with the same Idempotency-Key to get its result without doing it twice."),
            GrainCallDeliveryException => (StatusCodes.Status503ServiceUnavailable, "Cluster unavailable", $"{exception.Message} Try again shortly."),
            _ => (0, "", ""),
        };
        if (status == 0)
            return false;

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
