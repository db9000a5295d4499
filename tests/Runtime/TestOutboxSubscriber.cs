using System.Collections.Concurrent;
using System.Text.Json;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Outbox;

namespace OrleansSync.Tests.Runtime;

/// <summary>
/// Records the outbox events of test messages — <c>{"number": 7, "failTimes": 0}</c> — per tenant in the order they
/// arrive, with the silo that published them; fails the first <c>failTimes</c> attempts at an event on purpose, and
/// counts every attempt.
/// </summary>
public sealed class TestOutboxSubscriber(SiloIdentity silo) : IOutboxSubscriber
{
    public const string Topic = "test.event";

    /// <summary>Every call, failed or not, by event key.</summary>
    public static ConcurrentDictionary<string, int> Attempts { get; } = new();

    private static ConcurrentDictionary<string, ConcurrentQueue<Received>> ByTenant { get; } = new();

    public static OutboxMessage Message(string tenant, int number, int failTimes = 0, string topic = Topic)
        => new(tenant, topic, $"{tenant}/test/{number}", JsonSerializer.Serialize(new { number, failTimes }));

    /// <summary>The tenant's events this subscriber took, in the order it took them.</summary>
    public static IReadOnlyList<Received> ReceivedBy(string tenant)
        => ByTenant.TryGetValue(tenant, out var received) ? received.ToList() : [];

    public Task PublishAsync(PublishedEvent published, CancellationToken cancellationToken)
    {
        var attempt = Attempts.AddOrUpdate(published.Key, 1, (_, n) => n + 1);
        using var payload = JsonDocument.Parse(published.Payload);
        if (attempt <= payload.RootElement.GetProperty("failTimes").GetInt32())
            throw new InvalidOperationException($"attempt {attempt} at {published.Key} fails on purpose");
        ByTenant.GetOrAdd(published.TenantId, _ => new()).Enqueue(new Received(published, silo.SiloId));
        return Task.CompletedTask;
    }

    public sealed record Received(PublishedEvent Event, string SiloId);
}
