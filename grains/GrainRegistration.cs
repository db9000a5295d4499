using OrleansSync.Runtime.Hosting;

namespace OrleansSync.Grains;

/// <summary>Everything a silo needs to host the integration's grains.</summary>
public static class GrainRegistration
{
    public static SiloBuilder AddOrleansSyncGrains(this SiloBuilder silo)
        => silo.AddGrains(typeof(GrainRegistration).Assembly);
}
