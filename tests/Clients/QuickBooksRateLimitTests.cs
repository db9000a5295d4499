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
        var arrivals = new ArrivalRecorder("/v3/company/");
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
        var busiestMinute = arrivals.MostWithin(TimeSpan.FromMinutes(1));
        var busiestSecond = arrivals.MostWithin(TimeSpan.FromSeconds(1));
        output.WriteLine($"2,000 requests in {(DateTimeOffset.UtcNow - started).TotalSeconds:F0} s; busiest minute {busiestMinute}, busiest second {busiestSecond}");

        Assert.Equal(0, sandbox.QuickBooksResponses[HttpStatusCode.TooManyRequests]);
        Assert.Equal(2000, arrivals.Times.Count);
        Assert.InRange(busiestMinute, 400, 500);
        Assert.True(busiestSecond <= 10, $"{busiestSecond} requests reached the company in one second");
    }
}

[Collection(LongRunningCollection.Name)]
public sealed class HubSpotRateLimitTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_burst_of_300_requests_to_one_account_gets_no_429_and_never_more_than_110_in_ten_seconds()
    {
        var arrivals = new ArrivalRecorder("/sandbox/hubspot/crm/v3/objects/deals/");
        await using var sandbox = await SandboxClients.StartAsync(configureSandbox: builder => builder.Services.AddSingleton<IStartupFilter>(arrivals));

        await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => sandbox.HubSpot.GetObjectAsync(DemoData.PortalId, "deals", "53001")));

        var busiest = arrivals.MostWithin(TimeSpan.FromSeconds(10));
        output.WriteLine($"300 requests; busiest ten seconds {busiest}");
        Assert.Equal(0, sandbox.HubSpotResponses[HttpStatusCode.TooManyRequests]);
        Assert.Equal(300, arrivals.Times.Count);
        Assert.InRange(busiest, 100, 110);
    }

    [Fact]
    public async Task Searches_keep_to_five_a_second()
    {
        var arrivals = new ArrivalRecorder("/search");
        await using var sandbox = await SandboxClients.StartAsync(configureSandbox: builder => builder.Services.AddSingleton<IStartupFilter>(arrivals));

        await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => sandbox.HubSpot.SearchAsync(DemoData.PortalId, "contacts", new OrleansSync.Clients.HubSpot.Model.SearchRequest { Properties = ["email"], Limit = 5 })));

        Assert.Equal(0, sandbox.HubSpotResponses[HttpStatusCode.TooManyRequests]);
        Assert.Equal(25, arrivals.Times.Count);
        Assert.InRange(arrivals.MostWithin(TimeSpan.FromSeconds(1)), 4, 5);
    }
}
