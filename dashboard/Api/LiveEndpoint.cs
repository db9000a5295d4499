using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSync.Api.Hosting;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime.Metrics;
using OrleansSync.Runtime.Outbox;

namespace OrleansSync.Dashboard.Api;

/// <summary>
/// <c>GET /dashboard/api/live</c>: server-sent events for the open page (E7). <c>event: invoice</c> carries an
/// <c>invoice.status-changed</c> event's payload as the outbox recorded it, within a second; <c>event: tick</c>
/// carries <c>{now}</c> every two seconds — the page's cue that the connection lives, and that its numbers may be
/// fetched again. A stream open keeps the dashboard watched.
/// </summary>
internal static partial class LiveEndpoint
{
    public const string InvoiceEvent = "invoice";
    public const string TickEvent = "tick";

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(2);

    public static RouteGroupBuilder MapLiveEndpoint(this RouteGroupBuilder api)
    {
        api.MapGet("/live", (HttpContext context) => new LiveResult());
        return api;
    }

    private sealed class LiveResult : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var services = httpContext.RequestServices;
            var monitor = services.GetRequiredService<IOutboxMonitor>();
            var time = services.GetRequiredService<TimeProvider>();
            var watch = services.GetRequiredService<DashboardWatch>();
            return ServerSentEvents.WriteAsync(
                httpContext,
                async aborted =>
                {
                    var after = await monitor.NewestIdAsync(tenant: null, InvoiceStatusChanged.Topic, aborted);
                    return Merge(monitor, time, watch, after, aborted);
                },
                static (item, buffer) => buffer.Write(Encoding.UTF8.GetBytes(item.Data)),
                services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LiveEndpoint)));
        }
    }

    /// <summary>The invoice events and the ticks, in one stream of ready-made JSON.</summary>
    private static IAsyncEnumerable<SseItem<string>> Merge(IOutboxMonitor monitor, TimeProvider time, DashboardWatch watch, long after, CancellationToken aborted)
    {
        var items = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var published in monitor.FollowAsync(tenant: null, InvoiceStatusChanged.Topic, after, PollInterval, time, aborted))
                    await items.Writer.WriteAsync(new SseItem<string>(published.Payload, InvoiceEvent) { EventId = published.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, aborted);
            }
            catch (Exception exception)
            {
                items.Writer.TryComplete(exception is OperationCanceledException ? null : exception);
            }
        }, CancellationToken.None);
        _ = Task.Run(async () =>
        {
            try
            {
                using var ticks = new PeriodicTimer(TickInterval, time);
                do
                {
                    watch.Touch();
                    await items.Writer.WriteAsync(new SseItem<string>(JsonSerializer.Serialize(new LiveTick(time.GetUtcNow()), DashboardJsonContext.Default.LiveTick), TickEvent), aborted);
                }
                while (await ticks.WaitForNextTickAsync(aborted));
            }
            catch (OperationCanceledException)
            {
                items.Writer.TryComplete();
            }
        }, CancellationToken.None);
        return items.Reader.ReadAllAsync(aborted);
    }
}
