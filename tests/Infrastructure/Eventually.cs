using System.Diagnostics;

namespace OrleansSync.Tests.Infrastructure;

/// <summary>Waiting for something the system does in the background, with a deadline and a reason when it fails.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"Not true after {timeout}: {what}");
            await Task.Delay(20);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string what)
        => HoldsAsync(() => Task.FromResult(condition()), timeout, what);
}
