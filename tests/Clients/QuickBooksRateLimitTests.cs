using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Sandbox.Common;
using OrleansSync.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansSync.Tests.Clients;

/// <summary>Tests that mostly wait (on rate limits), run beside the others rather than after them.</summary>
[CollectionDefinition(Name)]
public sealed class LongRunningCollection
{
    public const string Name = "Long-running, mostly waiting";
}

[Collection(LongRunningCollection.Name)]
public sealed class QuickBooksRateLimitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_two_minute_burst_of_2000_requests_to_one_company_gets_no_429_and_never_more_than_500_in_a_minute()
    {
        var arrivals = new ArrivalRecorder();
        await using var sandbox = await SandboxClients.StartAsync(configureSandbox: builder => builder.Services.AddSingleton<IStartupFilter>(arrivals));

        // 2,000 reads issued evenly over two minutes; the client's limiter decides when each may go.
        var started = DateTimeOffset.UtcNow;
        var calls = new List<Task>();
        for (var i = 0; i < 2000; i++)
        {
            calls.Add(sandbox.QuickBooks.GetItemAsync(DemoData.UsRealmId, (1 + (i % 5)).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (i % 100 == 99)
                await Task.Delay(TimeSpan.FromSeconds(6));
        }

        await Task.WhenAll(calls);
        var times = arrivals.Times.Order().ToArray();
        var busiestMinute = MostWithin(times, TimeSpan.FromMinutes(1));
        var busiestSecond = MostWithin(times, TimeSpan.FromSeconds(1));
        output.WriteLine($"2,000 requests in {(DateTimeOffset.UtcNow - started).TotalSeconds:F0} s; busiest minute {busiestMinute}, busiest second {busiestSecond}");

        Assert.Equal(0, sandbox.QuickBooksResponses[HttpStatusCode.TooManyRequests]);
        Assert.Equal(2000, times.Length);
        Assert.InRange(busiestMinute, 400, 500);
        Assert.True(busiestSecond <= 10, $"{busiestSecond} requests reached the company in one second");
    }

    /// <summary>The most arrivals in any interval of <paramref name="width"/> (a sliding window over the sorted times).</summary>
    private static int MostWithin(DateTimeOffset[] sorted, TimeSpan width)
    {
        var most = 0;
        for (int start = 0, end = 0; end < sorted.Length; end++)
        {
            while (sorted[end] - sorted[start] >= width)
                start++;
            most = Math.Max(most, end - start + 1);
        }

        return most;
    }

    /// <summary>Records when each Accounting API request reached the sandbox.</summary>
    private sealed class ArrivalRecorder : IStartupFilter
    {
        private readonly ConcurrentQueue<DateTimeOffset> _times = new();

        public IEnumerable<DateTimeOffset> Times => _times;

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path.Value?.Contains("/v3/company/", StringComparison.Ordinal) == true)
                    _times.Enqueue(DateTimeOffset.UtcNow);
                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
