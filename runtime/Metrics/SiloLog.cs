using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Cluster;

namespace OrleansSync.Runtime.Metrics;

/// <summary>
/// One log entry as the log view shows it: its place in this silo's log (<see cref="Sequence"/>, from 1), when, how
/// severe, who logged it, the message as formatted, and the exception in one line (type and message, inner ones too).
/// </summary>
public sealed record LogEntry(long Sequence, DateTimeOffset At, LogLevel Level, string Category, int EventId, string? EventName, string Message, string? Exception);

/// <summary>
/// Which entries to read: those after <see cref="After"/> (all kept when null), at <see cref="Minimum"/> or above,
/// containing <see cref="Text"/> (any case) in the message, category or exception; the newest <see cref="Take"/> of them.
/// </summary>
public sealed record LogQuery(long? After, LogLevel Minimum, string? Text, int Take);

/// <summary>
/// What one silo's log answered: the entries, oldest first; <see cref="Newest"/>, the sequence to ask after next time;
/// and <see cref="Skipped"/>, the entries after <see cref="LogQuery.After"/> left out because they fell out of the ring
/// before anyone read them, or because more than <see cref="LogQuery.Take"/> matched.
/// </summary>
public sealed record LogSlice(string SiloId, long Newest, long Skipped, DateTimeOffset? CollectingSince, IReadOnlyList<LogEntry> Entries);

/// <summary>
/// The dashboard's log view of this silo (the Orleans Dashboard's log stream): a logger provider that keeps the last
/// <see cref="DashboardWatchOptions.LogCapacity"/> entries in memory, <b>only while someone watches</b>. While nobody
/// does, its loggers answer <see cref="ILogger.IsEnabled"/> with one volatile read (<see cref="DashboardWatch.IsOn"/>),
/// so no message is even formatted for it. Which levels and categories reach it is ordinary logging configuration,
/// under its alias: <c>Logging:Dashboard:LogLevel:Default</c> (the general <c>Logging:LogLevel</c> otherwise).
/// </summary>
/// <remarks>
/// Our message templates carry no secrets, but the framework's and libraries' might (a URL with <c>?key=</c>, a bearer
/// token): what would be one is replaced by <c>***</c> before it is kept, so the page never shows it.
/// </remarks>
[ProviderAlias(Alias)]
public sealed partial class SiloLog : ILoggerProvider
{
    public const string Alias = "Dashboard";

    private const int MaxMessageLength = 8_000;
    private const int MaxExceptionLength = 2_000;
    private const int MaxInnerExceptions = 3;

    private readonly string _siloId;
    private readonly TimeProvider _time;
    private readonly DashboardWatch _watch;
    private readonly Lock _lock = new();
    private readonly LogEntry?[] _ring;
    private long _newest;

    public SiloLog(SiloIdentity identity, TimeProvider time, DashboardWatch watch, IOptions<DashboardWatchOptions> options)
        : this(identity.SiloId, time, watch, options.Value.LogCapacity)
    {
    }

    internal SiloLog(string siloId, TimeProvider time, DashboardWatch watch, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _siloId = siloId;
        _time = time;
        _watch = watch;
        _ring = new LogEntry?[capacity];
    }

    public string SiloId => _siloId;

    public int Capacity => _ring.Length;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>The entries the query asks for, oldest first.</summary>
    public LogSlice Read(LogQuery query)
    {
        LogEntry[] newer;
        long newest, skipped = 0;
        lock (_lock)
        {
            newest = _newest;
            var kept = (int)Math.Min(newest, _ring.Length);
            var oldest = newest - kept + 1;
            var from = query.After is { } after ? Math.Max(after + 1, oldest) : oldest;
            if (query.After is { } seen && seen + 1 < oldest)
                skipped = oldest - seen - 1;
            newer = new LogEntry[(int)Math.Max(0, newest - from + 1)];
            for (var sequence = from; sequence <= newest; sequence++)
                newer[(int)(sequence - from)] = _ring[(sequence - 1) % _ring.Length]!;
        }

        var matching = newer.Where(e => e.Level >= query.Minimum && Contains(e, query.Text)).ToList();
        if (matching.Count > query.Take)
        {
            if (query.After is not null)
                skipped += matching.Count - query.Take;
            matching.RemoveRange(0, matching.Count - query.Take);
        }

        return new LogSlice(_siloId, newest, skipped, _watch.WatchedSince, matching);
    }

    public void Dispose()
    {
        // Nothing to release: the ring is memory, and the logger factory that owns this provider outlives every logger.
    }

    private bool IsEnabled(LogLevel level) => level != LogLevel.None && _watch.IsOn;

    private void Append(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var text = Redact(Truncate(message, MaxMessageLength));
        var summary = exception is null ? null : Redact(Truncate(Summarize(exception), MaxExceptionLength));
        var at = _time.GetUtcNow();
        lock (_lock)
        {
            var sequence = ++_newest;
            _ring[(sequence - 1) % _ring.Length] = new LogEntry(sequence, at, level, category, eventId.Id, eventId.Name, text, summary);
        }
    }

    private static bool Contains(LogEntry entry, string? text)
        => string.IsNullOrEmpty(text)
            || entry.Message.Contains(text, StringComparison.OrdinalIgnoreCase)
            || entry.Category.Contains(text, StringComparison.OrdinalIgnoreCase)
            || (entry.Exception?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false);

    /// <summary>"System.InvalidOperationException: what went wrong ---> System.IO.IOException: why", without the stack.</summary>
    private static string Summarize(Exception exception)
    {
        var summary = new StringBuilder();
        for (var (current, depth) = (exception, 0); current is not null && depth <= MaxInnerExceptions; (current, depth) = (current.InnerException, depth + 1))
        {
            if (depth > 0)
                summary.Append(" ---> ");
            summary.Append(current.GetType().FullName).Append(": ").Append(current.Message);
        }

        return summary.ToString();
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");

    /// <summary>Replaces what looks like a credential — a key or token in a query string, a bearer token, a token in JSON — by <c>***</c>.</summary>
    internal static string Redact(string text) => Secret().Replace(text, "${prefix}***");

    [GeneratedRegex("""
        (?<prefix>[?&](?:key|api_?key|token|access_token|refresh_token|id_token|code|client_secret|secret|password)=)[^&\s"'\#]+
        |(?<prefix>\bBearer\s+)[A-Za-z0-9\-._~+/]{16,}=*
        |(?<prefix>"(?:access_token|refresh_token|id_token|client_secret|password)"\s*:\s*")[^"]*
        """, RegexOptions.IgnoreCase | RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex Secret();

    private sealed class Logger(SiloLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => log.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (log.IsEnabled(logLevel))
                log.Append(logLevel, category, eventId, formatter(state, exception), exception);
        }
    }
}
