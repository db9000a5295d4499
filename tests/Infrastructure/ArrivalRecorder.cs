using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace OrleansSync.Tests.Infrastructure;

/// <summary>Records when requests whose path contains <paramref name="pathPart"/> reach a host (an <see cref="IStartupFilter"/> put in front of its pipeline).</summary>
public sealed class ArrivalRecorder(string pathPart) : IStartupFilter
{
    private readonly ConcurrentQueue<DateTimeOffset> _times = new();

    public IReadOnlyList<DateTimeOffset> Times => [.. _times.Order()];

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (context.Request.Path.Value?.Contains(pathPart, StringComparison.Ordinal) == true)
                _times.Enqueue(DateTimeOffset.UtcNow);
            await nextMiddleware(context);
        });
        next(app);
    };

    /// <summary>The most arrivals in any interval of <paramref name="width"/>.</summary>
    public int MostWithin(TimeSpan width)
    {
        var sorted = Times;
        var most = 0;
        for (int start = 0, end = 0; end < sorted.Count; end++)
        {
            while (sorted[end] - sorted[start] >= width)
                start++;
            most = Math.Max(most, end - start + 1);
        }

        return most;
    }
}
