using System.Threading.RateLimiting;
using OrleansSync.Clients.Http;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Clients;

public sealed class SlidingWindowsRateLimiterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Requests_go_in_order_when_every_window_has_room_counting_from_their_answers()
    {
        var clock = new ManualTimeProvider();
        using var limiter = new SlidingWindowsRateLimiter(clock, (3, TimeSpan.FromSeconds(1)), (5, TimeSpan.FromSeconds(10)));

        var leases = Enumerable.Range(0, 8).Select(_ => limiter.AcquireAsync().AsTask()).ToList();
        Assert.Equal(3, leases.Count(l => l.IsCompleted));

        // Unanswered requests keep their places however long they take.
        clock.Advance(TimeSpan.FromSeconds(2));
        await Task.Delay(50);
        Assert.Equal(3, leases.Count(l => l.IsCompleted));

        // Answered at 2 s: a second later two more go — the ten-second window has room for only two.
        AnswerAll(leases);
        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(() => leases.Count(l => l.IsCompleted) == 5, Patience, "two more went a second after the answers");
        Assert.True(leases.Take(5).All(l => l.IsCompleted), "they went in the order they asked");
        AnswerAll(leases);

        // The rest go when the first three leave the ten-second window, at 12 s.
        clock.Advance(TimeSpan.FromSeconds(8.9));
        await Task.Delay(50);
        Assert.Equal(5, leases.Count(l => l.IsCompleted));
        clock.Advance(TimeSpan.FromSeconds(0.1));
        await Eventually.HoldsAsync(() => leases.All(l => l.IsCompleted), Patience, "the rest went ten seconds after the first answers");
        Assert.All(leases, l => Assert.True(l.Result.IsAcquired));
    }

    [Fact]
    public void Trying_without_waiting_fails_while_a_window_is_full()
    {
        var clock = new ManualTimeProvider();
        using var limiter = new SlidingWindowsRateLimiter(clock, (2, TimeSpan.FromSeconds(1)));

        var first = limiter.AttemptAcquire();
        var second = limiter.AttemptAcquire();
        Assert.True(first.IsAcquired && second.IsAcquired);
        Assert.False(limiter.AttemptAcquire().IsAcquired);
        Assert.Equal(0, limiter.GetStatistics()!.CurrentAvailablePermits);

        first.Dispose();
        second.Dispose();
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, limiter.GetStatistics()!.CurrentAvailablePermits);
        Assert.True(limiter.AttemptAcquire().IsAcquired);
        Assert.Equal((3, 1), (limiter.GetStatistics()!.TotalSuccessfulLeases, limiter.GetStatistics()!.TotalFailedLeases));
    }

    [Fact]
    public async Task Arrivals_never_crowd_a_window_however_long_the_way_takes()
    {
        // Each request "arrives" at a random moment between leaving and its answer, as at a real service.
        var limit = 10;
        var window = TimeSpan.FromMilliseconds(200);
        using var limiter = new SlidingWindowsRateLimiter(TimeProvider.System, (limit, window));
        var arrivals = new List<long>();
        await Task.WhenAll(Enumerable.Range(0, 60).Select(async _ =>
        {
            using var lease = await limiter.AcquireAsync();
            await Task.Delay(Random.Shared.Next(0, 40));
            lock (arrivals)
                arrivals.Add(TimeProvider.System.GetTimestamp());
            await Task.Delay(Random.Shared.Next(0, 40));
        }));

        var sorted = arrivals.Order().ToList();
        for (var i = limit; i < sorted.Count; i++)
        {
            var apart = TimeProvider.System.GetElapsedTime(sorted[i - limit], sorted[i]);
            Assert.True(apart >= window, $"arrivals {i - limit} and {i} were {apart.TotalMilliseconds} ms apart");
        }
    }

    [Fact]
    public async Task A_request_that_gives_up_waiting_holds_up_no_one()
    {
        var clock = new ManualTimeProvider();
        using var limiter = new SlidingWindowsRateLimiter(clock, (1, TimeSpan.FromSeconds(1)));
        var first = limiter.AttemptAcquire();
        using var impatient = new CancellationTokenSource();
        var gaveUp = limiter.AcquireAsync(1, impatient.Token).AsTask();
        var next = limiter.AcquireAsync().AsTask();

        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp);
        Assert.Equal(1, limiter.GetStatistics()!.CurrentQueuedCount);

        first.Dispose();
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await next.WaitAsync(Patience)).IsAcquired);
    }

    [Fact]
    public void It_is_idle_only_once_its_longest_window_has_forgotten_every_request()
    {
        // A partitioned limiter drops limiters that report themselves idle; one dropped too early would forget requests.
        var clock = new ManualTimeProvider();
        using var limiter = new SlidingWindowsRateLimiter(clock, (10, TimeSpan.FromSeconds(1)), (500, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.Zero, limiter.IdleDuration);

        var lease = limiter.AttemptAcquire();
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(limiter.IdleDuration);

        lease.Dispose();
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(limiter.IdleDuration);
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(TimeSpan.FromSeconds(2), limiter.IdleDuration);
    }

    private static void AnswerAll(IEnumerable<Task<RateLimitLease>> leases)
    {
        foreach (var lease in leases.Where(l => l.IsCompletedSuccessfully))
            lease.Result.Dispose();
    }
}
