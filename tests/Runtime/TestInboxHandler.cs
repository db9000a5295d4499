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

/// <summary>The same test events taken a run at a time, answering per event; remembers the size of every run.</summary>
public sealed class TestInboxBatchHandler(IGrainFactory grains) : IInboxBatchHandler
{
    private readonly TestInboxHandler _each = new(grains);

    public static ConcurrentQueue<int> RunSizes { get; } = new();

    public Task HandleAsync(InboxMessage message, CancellationToken cancellationToken) => _each.HandleAsync(message, cancellationToken);

    public async Task<IReadOnlyList<Exception?>> HandleBatchAsync(IReadOnlyList<InboxMessage> messages, CancellationToken cancellationToken)
    {
        RunSizes.Enqueue(messages.Count);
        var results = new Exception?[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            try
            {
                await _each.HandleAsync(messages[i], cancellationToken);
            }
            catch (InvalidOperationException failure)
            {
                results[i] = failure;
            }
        }

        return results;
    }
}
