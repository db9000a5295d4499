using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// Trouble on purpose for the API endpoints (not OAuth, not admin): latency, hangs, and server errors — mostly HubSpot's
/// 500 INTERNAL_ERROR body, sometimes a 502 or 503 as a gateway in front of it would answer.
/// </summary>
public sealed class HubSpotFaultFilter([FromKeyedServices(HubSpotSandboxRegistration.ServiceKey)] FaultInjector faults) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        => await faults.BeforeRequestAsync(ServerError, context.HttpContext.RequestAborted) ?? await next(context);

    private static IResult ServerError()
    {
        var (status, message) = Random.Shared.Next(4) switch
        {
            0 => (StatusCodes.Status502BadGateway, "Bad Gateway"),
            1 => (StatusCodes.Status503ServiceUnavailable, "Service Unavailable"),
            _ => (StatusCodes.Status500InternalServerError, "internal error"),
        };
        return new HubSpotError(status, message, "INTERNAL_ERROR").ToResult();
    }
}
