using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Grains.Tenants;

public sealed class TenantDirectoryState
{
    public SortedSet<long> PortalIds { get; set; } = [];
}

/// <summary>The list of tenants (key <c>directory/tenants</c>): hundreds of ids, written once per install.</summary>
public sealed class TenantDirectoryGrain([PersistentState("directory")] IPersistentState<TenantDirectoryState> state) : Grain, ITenantDirectoryGrain
{
    public async Task AddAsync(long portalId)
    {
        if (state.State.PortalIds.Add(portalId))
            await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<long>> ListAsync() => Task.FromResult<IReadOnlyList<long>>([.. state.State.PortalIds]);
}
