using OrleansSync.Runtime.Cluster;

namespace OrleansSync.Api.Operators;

/// <summary>What operators see of the cluster.</summary>
public static class ClusterEndpoints
{
    public static RouteGroupBuilder MapClusterEndpoints(this RouteGroupBuilder api)
    {
        var cluster = api.MapGroup("/cluster").WithTags("Cluster");

        // Each silo: id, address, status, last heartbeat, partitions owned, activations.
        cluster.MapGet("/silos", async (IClusterStatus status, CancellationToken cancellationToken) => TypedResults.Ok(await status.ReadSilosAsync(cancellationToken)));
        return api;
    }
}
