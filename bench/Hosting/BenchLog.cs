using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansSync.Bench.Hosting;

/// <summary>
/// The hosts' warnings and errors during a benchmark: counted by category, the first few printed as they come, so that
/// a figure measured while something was failing says so.
/// </summary>
internal sealed class BenchLog : ILoggerProvider
{
    private const int Printed = 10;

    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private int _seen;

    /// <summary>Warnings and errors by category (the class that logged), since the start or the last <see cref="Reset"/>.</summary>
    public IReadOnlyDictionary<string, int> Counts => _counts;

    public int Total => _counts.Values.Sum();

    public void Reset() => _counts.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private void Add(string category, string line)
    {
        _counts.AddOrUpdate(category, 1, (_, count) => count + 1);
        if (Interlocked.Increment(ref _seen) <= Printed)
            Console.WriteLine($"  [log] {line}");
        else if (_seen == Printed + 1)
            Console.WriteLine("  [log] (further warnings are counted, not printed)");
    }

    private sealed class Logger(BenchLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                log.Add(category, $"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : $" — {exception.GetType().Name}: {exception.Message}")}");
        }
    }
}
