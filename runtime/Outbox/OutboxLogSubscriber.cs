using Microsoft.Extensions.Logging;

namespace OrleansSync.Runtime.Outbox;

/// <summary>Writes one structured line per published event: the least every event gets.</summary>
internal sealed partial class OutboxLogSubscriber(ILogger<OutboxLogSubscriber> logger) : IOutboxSubscriber
{
    public Task PublishAsync(PublishedEvent published, CancellationToken cancellationToken)
    {
        LogPublished(published.Topic, published.TenantId, published.Key, published.Id);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {Topic} for tenant {TenantId}: {Key} (outbox event {Id})")]
    private partial void LogPublished(string topic, string tenantId, string key, long id);
}
