using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Hosting;

namespace OrleansSync.Runtime.Cluster;

/// <summary>
/// This silo's place in the cluster. It joins the membership table once the server listens, then every
/// <see cref="ClusterOptions.LeaseRenewInterval"/>: heartbeats, renews its partition leases (a lease it did not get
/// back is lost: its grains are deactivated), takes free or expired partitions up to its fair share, and hands
/// partitions beyond its share back so that a joining silo gets some. On a clean stop it hands every partition back.
/// </summary>
internal sealed partial class PartitionManager(
    SiloRuntime runtime,
    SiloControl control,
    IMembershipTable membership,
    IPartitionLeaseTable leases,
    IOptions<ClusterOptions> options,
    IOptions<SiloOptions> siloOptions,
    IServiceProvider services,
    ILogger<PartitionManager> logger) : IHostedLifecycleService
{
    private readonly ClusterOptions _options = options.Value;
    private readonly ConcurrentDictionary<int, Task> _releases = new();
    private readonly CancellationTokenSource _stopping = new();

    // A round and the last step of a hand-off (give up the lease, forget the partition) never interleave, so a round
    // never mistakes a partition it just saw renewed, and that a hand-off then gave up, for one it still holds.
    private readonly SemaphoreSlim _leaseChanges = new(1, 1);
    private Task _loop = Task.CompletedTask;
    private DateTimeOffset _lastCleanup;

    private string SiloId => runtime.SiloId;

    private TimeProvider Time => runtime.Time;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once the server listens, so that the silo can advertise the address it really has.</summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        runtime.Identity.SetAddress(ResolveAddress());
        await leases.InitializeAsync(_options.PartitionCount);

        var now = Time.GetUtcNow();
        await membership.UpsertAsync(new SiloRecord(SiloId, runtime.Identity.Address, Environment.MachineName, SiloStatus.Active, now, now, 0, 0));
        await RunRoundAsync();
        control.MarkStarted();
        LogJoined(SiloId, runtime.Identity.Address, runtime.Partitions.OwnedPartitions().Count);

        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop;
        if (control.IsKilled)
            return;

        // A clean stop hands every partition over now, instead of letting the survivors wait for the leases to expire.
        try
        {
            await membership.SetStatusAsync(SiloId, SiloStatus.ShuttingDown, Time.GetUtcNow());
            var held = runtime.Partitions.HeldPartitions();
            await Task.WhenAll(held.Select(p => ReleaseAsync(p, DeactivationReasonCode.ShuttingDown))).WaitAsync(cancellationToken);
            await membership.SetStatusAsync(SiloId, SiloStatus.Stopped, Time.GetUtcNow());
            LogLeft(SiloId, held.Count);
        }
        catch (Exception exception)
        {
            // Out of time or out of database: the partitions not handed over move when their leases expire.
            LogLeaveFailed(exception, SiloId);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task LoopAsync()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, control.Killed);
        using var timer = new PeriodicTimer(_options.LeaseRenewInterval, Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                await control.WaitWhilePausedAsync(stop.Token);
                try
                {
                    await RunRoundAsync();
                }
                catch (Exception exception) when (!stop.IsCancellationRequested)
                {
                    // The leases run out by themselves if this goes on; until then the silo keeps what it has.
                    LogRoundFailed(exception, SiloId);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: heartbeat, renew, take a fair share, hand back the surplus.</summary>
    internal async Task RunRoundAsync()
    {
        await _leaseChanges.WaitAsync();
        try
        {
            await RunRoundLockedAsync();
        }
        finally
        {
            _leaseChanges.Release();
        }
    }

    private async Task RunRoundLockedAsync()
    {
        var now = Time.GetUtcNow();
        var expiresAt = ExpiryFrom(now);
        var table = runtime.Partitions;

        await membership.HeartbeatAsync(SiloId, now, table.OwnedPartitions().Count, runtime.Directory.Count);

        var renewed = (await leases.RenewAsync(SiloId, now, expiresAt)).ToDictionary(l => l.Partition);
        var lost = table.HeldPartitions().Where(p => !renewed.ContainsKey(p)).ToList();
        if (lost.Count > 0)
            OnLost(lost);
        foreach (var lease in renewed.Values)
        {
            // A lease the database says is ours but this silo does not know of was taken by an acquire whose answer got
            // lost: serve it rather than let it be renewed for ever by a silo that never serves it.
            if (table.EpochOf(lease.Partition) is null)
                table.SetOwned(lease.Partition, lease.Epoch, expiresAt);
            else
                table.Renew(lease.Partition, lease.Epoch, expiresAt);
        }

        var silos = await membership.ReadAllAsync();
        var live = Math.Max(1, silos.Count(s => s.EffectiveStatus(now, _options.SiloDeadAfter) == SiloStatus.Active));
        var fairShare = (_options.PartitionCount + live - 1) / live;
        var owned = table.OwnedPartitions();

        // Below the fair share: take free partitions at once. At or above it: take only partitions that stayed free for a
        // whole round, so that silos below their share get them first, but nothing stays orphaned.
        if (owned.Count < fairShare)
            Acquire(await leases.AcquireAsync(SiloId, fairShare - owned.Count, now, expiresAt), expiresAt);
        Acquire(await leases.AcquireAsync(SiloId, _options.PartitionCount, now - _options.LeaseRenewInterval, expiresAt), expiresAt);

        owned = table.OwnedPartitions();
        var surplus = Math.Min(owned.Count - fairShare, _options.MaxPartitionsMovedPerRound);
        if (surplus > 0 && live > 1)
            HandOff(owned, surplus);

        if (now - _lastCleanup > TimeSpan.FromMinutes(10))
        {
            _lastCleanup = now;
            await membership.RemoveDefunctAsync(now - _options.DeadSiloRetention);
        }
    }

    private void Acquire(IReadOnlyList<PartitionLease> acquired, DateTimeOffset expiresAt)
    {
        foreach (var lease in acquired)
            runtime.Partitions.SetOwned(lease.Partition, lease.Epoch, expiresAt);
        if (acquired.Count > 0)
            LogAcquired(SiloId, acquired.Count, runtime.Partitions.OwnedPartitions().Count);
    }

    /// <summary>Hands back the partitions with the fewest activations, so that the move disturbs as few grains as possible.</summary>
    private void HandOff(List<int> owned, int count)
    {
        var activationsByPartition = runtime.Directory.Snapshot().GroupBy(a => a.Partition).ToDictionary(g => g.Key, g => g.Count());
        var chosen = owned
            .Where(p => !_releases.ContainsKey(p))
            .OrderBy(p => activationsByPartition.GetValueOrDefault(p))
            .ThenByDescending(p => p)
            .Take(count)
            .ToList();
        foreach (var partition in chosen)
            _ = ReleaseAsync(partition, DeactivationReasonCode.PartitionHandedOff);
        if (chosen.Count > 0)
            LogHandingOff(SiloId, chosen.Count);
    }

    /// <summary>
    /// Hands one partition over cleanly: no new calls or background work start on it, the work in flight ends, its
    /// grains deactivate (still able to write), and only then is the lease given up.
    /// </summary>
    private Task ReleaseAsync(int partition, DeactivationReasonCode reason)
        => _releases.GetOrAdd(partition, p => Task.Run(async () =>
        {
            try
            {
                var table = runtime.Partitions;
                var epoch = table.EpochOf(p);
                table.BeginRelease(p);
                await table.WhenWorkDrained(p);
                await runtime.Directory.DeactivateAsync(a => a.Partition == p, new DeactivationReason(reason, $"Partition {p} is handed over."));
                await _leaseChanges.WaitAsync();
                try
                {
                    if (epoch is { } heldEpoch)
                        await leases.ReleaseAsync(SiloId, p, heldEpoch, Time.GetUtcNow());
                    table.SetNotOwned(p);
                }
                finally
                {
                    _leaseChanges.Release();
                }
            }
            catch (Exception exception)
            {
                // The lease is still ours: serve the partition again; a later round may try the hand-off again.
                runtime.Partitions.CancelRelease(p);
                LogReleaseFailed(exception, SiloId, p);
            }
            finally
            {
                _releases.TryRemove(p, out _);
            }
        }));

    private void OnLost(List<int> partitions)
    {
        LogLost(SiloId, partitions.Count, string.Join(", ", partitions));
        foreach (var partition in partitions)
            runtime.Partitions.SetNotOwned(partition);
        var lost = partitions.ToHashSet();
        _ = runtime.Directory.DeactivateAsync(a => lost.Contains(a.Partition),
            new DeactivationReason(DeactivationReasonCode.PartitionLost, "The silo lost the lease on the grain's partition."));
    }

    private DateTimeOffset ExpiryFrom(DateTimeOffset now)
        => _options.LeaseDuration == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : now + _options.LeaseDuration;

    private Uri ResolveAddress()
    {
        if (siloOptions.Value.AdvertisedAddress is { } advertised)
            return advertised;

        var listening = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (listening is null)
            return new Uri($"http://{Dns.GetHostName()}/");

        // "http://+:80", "http://*:80", "http://0.0.0.0:80" and "http://[::]:80" listen everywhere; others need a name.
        var address = listening.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
        var uri = new Uri(address);
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
            uri = new UriBuilder(uri) { Host = Dns.GetHostName() }.Uri;
        return uri;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {SiloId} joined the cluster at {Address} and owns {Partitions} partitions")]
    private partial void LogJoined(string siloId, Uri address, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {SiloId} handed its {Partitions} partitions over and left the cluster")]
    private partial void LogLeft(string siloId, int partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {SiloId} could not leave the cluster cleanly; its leases will expire")]
    private partial void LogLeaveFailed(Exception exception, string siloId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {SiloId}: membership round failed")]
    private partial void LogRoundFailed(Exception exception, string siloId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {SiloId} took {Count} partitions and now owns {Owned}")]
    private partial void LogAcquired(string siloId, int count, int owned);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {SiloId} is handing {Count} partitions over to rebalance")]
    private partial void LogHandingOff(string siloId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {SiloId} could not hand partition {Partition} over")]
    private partial void LogReleaseFailed(Exception exception, string siloId, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {SiloId} lost its leases on {Count} partitions ({Partitions}); its grains there are deactivated")]
    private partial void LogLost(string siloId, int count, string partitions);
}
