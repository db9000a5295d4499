using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime.Inbox;
using OrleansSync.Runtime.Testing;
using OrleansSync.Tests.Infrastructure;
using static OrleansSync.Tests.Runtime.InboxTests;

namespace OrleansSync.Tests.Runtime;

/// <summary>An inbox handler that takes events a run at a time: runs, per-event failures, and nothing delivered twice that succeeded.</summary>
public sealed class InboxBatchTests
{
    [Fact]
    public async Task Events_come_in_runs_and_only_the_failed_one_comes_again()
    {
        await using var cluster = await SingleSilo.StartAsync(o =>
        {
            o.Configuration["Inbox:FirstRetryDelay"] = "00:00:00.050";
            o.Configuration["Inbox:PollInterval"] = "00:00:00.100";
            var configure = o.ConfigureSilo!;
            o.ConfigureSilo = silo =>
            {
                configure(silo);
                silo.AddInboxHandler<TestInboxBatchHandler>();
            };
        });
        var inbox = cluster.Silos[0].Services.GetRequiredService<IInbox>();
        var tenant = SingleSilo.NewTenant();
        var grain = $"{tenant}/target";

        await inbox.AppendAsync(Enumerable.Range(1, 60).Select(n => Event(tenant, grain, n, failTimes: n == 30 ? 2 : 0)).ToList());

        // The run goes on past the failed event (it is retried alone), so this target, which keeps only what is newer
        // than what it has, sees 30 too late to take it: a batch handler trades strict order for throughput.
        await Eventually.HoldsAsync(() => TestInboxHandler.Deliveries.GetValueOrDefault($"{tenant}/test/{grain}#30") == 3, TimeSpan.FromSeconds(10), "event 30 succeeded at its third delivery");
        Assert.Equal(Enumerable.Range(1, 60).Where(n => n != 30), (await Target(cluster, grain)).Received);
        Assert.Contains(TestInboxBatchHandler.RunSizes, size => size > 1);
        Assert.All(Enumerable.Range(1, 60).Where(n => n != 30), n => Assert.Equal(1, TestInboxHandler.Deliveries[$"{tenant}/test/{grain}#{n}"]));
    }
}
