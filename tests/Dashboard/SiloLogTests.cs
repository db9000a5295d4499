using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Metrics;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Dashboard;

/// <summary>
/// The silo's log as the dashboard's log view reads it: kept only while someone watches (nothing even formatted
/// otherwise), read after a sequence number, filtered by level and text, bounded, and with credentials masked.
/// </summary>
public sealed class SiloLogTests : IDisposable
{
    private readonly ManualTimeProvider _time = new();
    private readonly DashboardWatch _watch;

    public SiloLogTests() => _watch = new DashboardWatch(_time, Options.Create(new DashboardWatchOptions()), new ProcessSampler(_time));

    [Fact]
    public void Entries_are_kept_only_while_someone_watches_and_nothing_is_formatted_otherwise()
    {
        var log = new SiloLog("silo-a", _time, _watch, capacity: 100);
        var logger = log.CreateLogger("OrleansSync.Grains.Deals.DealGrain");
        var formatted = 0;
        string Format(string state, Exception? exception)
        {
            formatted++;
            return state;
        }

        Assert.False(logger.IsEnabled(LogLevel.Critical));
        logger.Log(LogLevel.Warning, new EventId(7), "nobody watches", null, Format);
        Assert.Equal(0, formatted);

        _watch.Touch();
        Assert.True(logger.IsEnabled(LogLevel.Information));
        logger.Log(LogLevel.Warning, new EventId(7, "DealWriteFailed"), "someone watches", null, Format);
        Assert.Equal(1, formatted);

        _time.Advance(TimeSpan.FromSeconds(61)); // a whole watch window without a look
        Assert.False(logger.IsEnabled(LogLevel.Critical));
        logger.Log(LogLevel.Error, new EventId(8), "nobody watches again", null, Format);
        Assert.Equal(1, formatted);

        var slice = log.Read(new LogQuery(null, LogLevel.Trace, null, 100));
        var entry = Assert.Single(slice.Entries);
        Assert.Equal(("someone watches", LogLevel.Warning, 7, "DealWriteFailed", 1L), (entry.Message, entry.Level, entry.EventId, entry.EventName, entry.Sequence));
        Assert.Equal("OrleansSync.Grains.Deals.DealGrain", entry.Category);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero), entry.At);
        Assert.Equal(("silo-a", 1L, 0L), (slice.SiloId, slice.Newest, slice.Skipped));
    }

    [Fact]
    public void Reading_after_a_sequence_gives_the_newer_entries_and_counts_those_the_ring_lost()
    {
        var log = new SiloLog("silo-a", _time, _watch, capacity: 10);
        var logger = log.CreateLogger("Test");
        _watch.Touch();
        for (var i = 1; i <= 25; i++)
            logger.LogWarning("line {Number}", i);

        var all = log.Read(new LogQuery(null, LogLevel.Trace, null, 100));
        Assert.Equal(Enumerable.Range(16, 10).Select(i => (long)i), all.Entries.Select(e => e.Sequence));
        Assert.Equal((25L, 0L), (all.Newest, all.Skipped));

        var afterFive = log.Read(new LogQuery(5, LogLevel.Trace, null, 100));
        Assert.Equal("line 16", afterFive.Entries[0].Message);
        Assert.Equal(10, afterFive.Skipped); // 6 to 15 fell out of the ring before anyone read them

        var newest = log.Read(new LogQuery(20, LogLevel.Trace, null, 3));
        Assert.Equal(["line 23", "line 24", "line 25"], newest.Entries.Select(e => e.Message));
        Assert.Equal(2, newest.Skipped); // 21 and 22: more matched than asked for

        Assert.Empty(log.Read(new LogQuery(25, LogLevel.Trace, null, 100)).Entries);
        Assert.Equal(0, log.Read(new LogQuery(25, LogLevel.Trace, null, 100)).Skipped);
    }

    [Fact]
    public void Entries_are_filtered_by_minimum_level_and_by_text_in_message_category_or_exception()
    {
        var log = new SiloLog("silo-a", _time, _watch, capacity: 100);
        _watch.Touch();
        log.CreateLogger("OrleansSync.Grains.Invoices.InvoiceGrain").LogInformation("Invoice 1042 of company 9341 is PaidInFull (Webhook)");
        log.CreateLogger("OrleansSync.Runtime.Outbox.OutboxPublisher").LogWarning("Outbox event 17 failed 3 times");
        log.CreateLogger("OrleansSync.Grains.Deals.DealGrain").LogError(new InvalidOperationException("HubSpot answered 500", new TimeoutException("slow")), "Writing deal 53001 failed");

        Assert.Equal(2, log.Read(new LogQuery(null, LogLevel.Warning, null, 100)).Entries.Count);
        Assert.Equal("Writing deal 53001 failed", Assert.Single(log.Read(new LogQuery(null, LogLevel.Error, null, 100)).Entries).Message);
        Assert.Equal("Outbox event 17 failed 3 times", Assert.Single(log.Read(new LogQuery(null, LogLevel.Trace, "OUTBOX", 100)).Entries).Message);
        Assert.Equal("Writing deal 53001 failed", Assert.Single(log.Read(new LogQuery(null, LogLevel.Trace, "answered 500", 100)).Entries).Message);
        Assert.Empty(log.Read(new LogQuery(null, LogLevel.Warning, "1042", 100)).Entries);

        var failed = log.Read(new LogQuery(null, LogLevel.Error, null, 100)).Entries[0];
        Assert.Equal("System.InvalidOperationException: HubSpot answered 500 ---> System.TimeoutException: slow", failed.Exception);
    }

    [Fact]
    public void Keys_and_tokens_in_a_message_or_exception_are_masked_before_they_are_kept()
    {
        var log = new SiloLog("silo-a", _time, _watch, capacity: 100);
        var logger = log.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
        _watch.Touch();
        logger.LogInformation("Request starting HTTP/1.1 GET http://localhost:5000/dashboard/?key=e2e-admin-key-0123456789&x=1");
        logger.LogWarning("Sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature to HubSpot");
        logger.LogError(new HttpRequestException("""token endpoint said {"access_token":"at-123456","refresh_token":"rt-abcdef"}"""), "Refresh failed for /callback?code=auth-code-1&state=s1");

        var text = string.Join('\n', log.Read(new LogQuery(null, LogLevel.Trace, null, 100)).Entries.Select(e => $"{e.Message} {e.Exception}"));
        foreach (var secret in new[] { "e2e-admin-key-0123456789", "eyJhbGciOiJIUzI1NiJ9", "at-123456", "rt-abcdef", "auth-code-1" })
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.Contains("/dashboard/?key=***&x=1", text, StringComparison.Ordinal);
        Assert.Contains("Bearer *** to HubSpot", text, StringComparison.Ordinal);
        Assert.Contains("\"access_token\":\"***\"", text, StringComparison.Ordinal);
        Assert.Contains("?code=***&state=s1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Which_levels_reach_the_log_is_logging_configuration_under_the_alias_Dashboard()
    {
        var log = new SiloLog("silo-a", _time, _watch, capacity: 100);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            [$"Logging:{SiloLog.Alias}:LogLevel:Default"] = "Information",
            [$"Logging:{SiloLog.Alias}:LogLevel:Noisy"] = "Error",
        }).Build();
        using var factory = LoggerFactory.Create(logging => logging.AddConfiguration(configuration.GetSection("Logging")));
        factory.AddProvider(log);
        _watch.Touch();

        factory.CreateLogger("OrleansSync.Grains.Tenants.TenantGrain").LogInformation("kept: Information is on for the dashboard");
        factory.CreateLogger("OrleansSync.Grains.Tenants.TenantGrain").LogDebug("left out: Debug is not");
        factory.CreateLogger("Noisy.Library").LogWarning("left out: this category only from Error up");

        Assert.Equal(["kept: Information is on for the dashboard"], log.Read(new LogQuery(null, LogLevel.Trace, null, 100)).Entries.Select(e => e.Message));
    }

    public void Dispose() => _watch.Dispose();
}
