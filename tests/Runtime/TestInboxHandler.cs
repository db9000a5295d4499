using System.Collections.Concurrent;
using System.Text.Json;
using OrleansSync.Runtime;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Tests.Runtime;

/// <summary>
/// Delivers test inbox events — <c>{"grain": "…", "number": 7, "failTimes": 0}</c> — to <see cref="IInboxTargetGrain"/>,
/// failing the first <c>failTimes</c> deliveries of an event on purpose, and counting every delivery.
/// </summary>
public sealed class TestInboxHandler(IGrainFactory grains) : IInboxHandler
{
    public static ConcurrentDictionary<string, int> Deliveries { get; } = new();

    public static string Payload(string grain, int number, int failTimes = 0)
        => JsonSerializer.Serialize(new { grain, number, failTimes });

    public async Task HandleAsync(InboxMessage message, CancellationToken cancellationToken)
    {
        using var payload = JsonDocument.Parse(message.Payload);
        var grain = payload.RootElement.GetProperty("grain").GetString()!;
        var number = payload.RootElement.GetProperty("number").GetInt32();
        var failTimes = payload.RootElement.GetProperty("failTimes").GetInt32();

        var delivery = Deliveries.AddOrUpdate($"{message.TenantId}/{message.Source}/{message.EventId}", 1, (_, n) => n + 1);
        if (delivery <= failTimes)
            throw new InvalidOperationException($"delivery {delivery} of {message.EventId} fails on purpose");
        await grains.GetGrain<IInboxTargetGrain>(grain).Receive(number);
    }
}
