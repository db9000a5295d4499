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

    /// <summary>Reads a value until it satisfies <paramref name="condition"/>, and answers it.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (condition(value))
                return value;
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"Not true after {timeout}: {what}");
            await Task.Delay(50);
        }
    }
}
