using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrleansSync.Runtime.Hosting;
using OrleansSync.Runtime.Inbox;

namespace OrleansSync.Runtime.Postgres;

/// <summary>
/// Listens for the database's notice that events were appended (by any node) and wakes this silo's inbox pump for
/// those partitions, so that delivery starts within milliseconds instead of at the next poll.
/// </summary>
internal sealed partial class PostgresInboxListener(
    NpgsqlDataSource dataSource,
    InboxSignal signal,
    SiloControl control,
    TimeProvider time,
    ILogger<PostgresInboxListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, control.Killed);
        var delay = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stop.Token);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresInboxStore.NotificationChannel}", connection))
                    await listen.ExecuteNonQueryAsync(stop.Token);
                delay = TimeSpan.FromSeconds(1);
                while (true)
                    await connection.WaitAsync(stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The poll still finds the work meanwhile; only the wake-ups are late.
                LogListenFailed(exception, delay);
                await Task.Delay(delay, time, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification)
    {
        foreach (var part in notification.Payload.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
                signal.Notify(partition);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for inbox notifications failed; retrying in {Delay}")]
    private partial void LogListenFailed(Exception exception, TimeSpan delay);
}
