using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansSync.Runtime.Metrics;

/// <summary>How long the dashboard's collection runs after its last request. Configuration section <c>Dashboard</c>.</summary>
public sealed class DashboardWatchOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>Collection stops this long after the last dashboard request (environment: <c>Dashboard__WatchWindow</c>).</summary>
    public TimeSpan WatchWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often CPU is sampled while someone watches (environment: <c>Dashboard__SampleInterval</c>).</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How far back each silo keeps its samples (CPU, memory, activations, calls per second) for the silo charts, one
    /// per <see cref="SampleInterval"/> (environment: <c>Dashboard__HistoryWindow</c>).
    /// </summary>
    public TimeSpan HistoryWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many log entries each silo keeps for the log view while someone watches (environment: <c>Dashboard__LogCapacity</c>).</summary>
    public int LogCapacity { get; set; } = 1000;

    internal static ValidationResult? Validate(DashboardWatchOptions options)
    {
        if (options.SampleInterval < TimeSpan.FromMilliseconds(100) || options.SampleInterval > TimeSpan.FromSeconds(10))
            return new ValidationResult("Dashboard:SampleInterval must be between 100 ms and 10 s.");
        if (options.WatchWindow < options.SampleInterval)
            return new ValidationResult("Dashboard:WatchWindow must be at least Dashboard:SampleInterval.");
        if (options.HistoryWindow < TimeSpan.FromMinutes(1) || options.HistoryWindow > TimeSpan.FromHours(1))
            return new ValidationResult("Dashboard:HistoryWindow must be between 1 minute and 1 hour.");
        if (options.HistoryWindow / options.SampleInterval > SiloHistory.MaxSamples)
            return new ValidationResult($"Dashboard:HistoryWindow holds at most {SiloHistory.MaxSamples} samples of Dashboard:SampleInterval: lengthen the interval or shorten the window.");
        if (options.LogCapacity is < 10 or > 100_000)
            return new ValidationResult("Dashboard:LogCapacity must be between 10 and 100,000 entries.");
        return ValidationResult.Success;
    }
}

/// <summary>
/// Whether anyone is watching the dashboard. Every dashboard request (and every other silo's request for this silo's
/// stats) calls <see cref="Touch"/>; the first switches collection on — per-call metrics, CPU sampling, the silo's
/// history (<see cref="SiloHistory"/>) and log (<see cref="SiloLog"/>) — and it switches itself off
/// <see cref="DashboardWatchOptions.WatchWindow"/> after the last. The Orleans Dashboard's users complain
/// that it costs CPU when nobody looks; here no timer runs, and a grain call costs the same watched or not (an
/// activation only counts its calls, see <see cref="GrainCallMetrics"/>).
/// </summary>
public sealed class DashboardWatch : IDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _sampleInterval;
    private readonly long _window;
    private readonly ProcessSampler _sampler;
    private readonly Lock _lock = new();
    private volatile bool _on;
    private long _deadline;
    private readonly List<Action<bool>> _listeners = [];
    private ITimer? _ticker;
    private DateTimeOffset? _since;

    public DashboardWatch(TimeProvider time, IOptions<DashboardWatchOptions> options, ProcessSampler sampler)
    {
        _time = time;
        _sampleInterval = options.Value.SampleInterval;
        _window = (long)(options.Value.WatchWindow.TotalSeconds * time.TimestampFrequency);
        _sampler = sampler;
    }

    /// <summary>True while someone watches: the one read an unwatched grain call (or log call) pays.</summary>
    public bool IsOn => _on;

    /// <summary>Each sample interval while someone watches, after CPU was sampled: the cue for <see cref="SiloHistory"/>.</summary>
    public event Action? Sampled;

    /// <summary>Since when collection runs; null while it does not.</summary>
    public DateTimeOffset? WatchedSince
    {
        get
        {
            lock (_lock)
                return _since;
        }
    }

    /// <summary>Someone looked: collection runs (or goes on running) for another watch window.</summary>
    public void Touch()
    {
        Volatile.Write(ref _deadline, _time.GetTimestamp() + _window);
        if (_on)
            return;
        lock (_lock)
        {
            if (_on)
                return;
            _since = _time.GetUtcNow();
            _sampler.Start();
            _ticker = _time.CreateTimer(_ => Tick(), null, _sampleInterval, _sampleInterval);
            _on = true;
            Tell(on: true);
        }
    }

    private void Tick()
    {
        lock (_lock)
        {
            if (!_on)
                return;
            if (_time.GetTimestamp() >= Volatile.Read(ref _deadline))
            {
                // Nobody looked for a whole window: no more observed calls, and no timer.
                _on = false;
                _since = null;
                _ticker?.Dispose();
                _ticker = null;
                _sampler.Stop();
                Tell(on: false);
                return;
            }
        }

        _sampler.Sample();
        Sampled?.Invoke();
    }

    /// <summary>
    /// Tells <paramref name="changed"/> when collection starts (true) and stops (false) — at once if it runs now. Called
    /// under the watch's lock: a listener must not call back into the watch.
    /// </summary>
    internal void Listen(Action<bool> changed)
    {
        lock (_lock)
        {
            _listeners.Add(changed);
            if (_on)
                changed(true);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_on)
                Tell(on: false);
            _on = false;
            _ticker?.Dispose();
            _ticker = null;
        }
    }

    private void Tell(bool on)
    {
        foreach (var listener in _listeners)
            listener(on);
    }
}

/// <summary>
/// This process's CPU use: processor time used between two samples, over the wall time between them and the cores
/// the process may use. Sampled only while someone watches the dashboard.
/// </summary>
public sealed class ProcessSampler(TimeProvider time)
{
    private readonly Lock _lock = new();
    private TimeSpan _lastCpu;
    private long _lastTimestamp;
    private double? _cpuPercent;

    /// <summary>CPU use over the last sample interval, 0–100 % of the machine; null before the first interval ends.</summary>
    public double? CpuPercent
    {
        get
        {
            lock (_lock)
                return _cpuPercent;
        }
    }

    internal void Start()
    {
        lock (_lock)
        {
            _lastCpu = Environment.CpuUsage.TotalTime;
            _lastTimestamp = time.GetTimestamp();
            _cpuPercent = null;
        }
    }

    internal void Sample()
    {
        var cpu = Environment.CpuUsage.TotalTime;
        var now = time.GetTimestamp();
        lock (_lock)
        {
            var wall = time.GetElapsedTime(_lastTimestamp, now);
            if (wall <= TimeSpan.Zero)
                return;
            var used = (cpu - _lastCpu) / (wall * Environment.ProcessorCount);
            _cpuPercent = Math.Round(Math.Clamp(used * 100, 0, 100), 1);
            _lastCpu = cpu;
            _lastTimestamp = now;
        }
    }

    internal void Stop()
    {
        lock (_lock)
            _cpuPercent = null;
    }
}
