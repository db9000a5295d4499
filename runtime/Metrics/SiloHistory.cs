using Microsoft.Extensions.Options;

namespace OrleansSync.Runtime.Metrics;

/// <summary>One sample of a silo: CPU over the last interval (null before the first), memory, activations, calls per second.</summary>
public sealed record SiloSample(DateTimeOffset At, double? CpuPercent, long MemoryBytes, long GcHeapBytes, int Activations, double CallsPerSecond);

/// <summary>A silo's samples of the last <see cref="DashboardWatchOptions.HistoryWindow"/>, oldest first.</summary>
public sealed record SiloHistorySnapshot(string SiloId, DateTimeOffset At, TimeSpan SampleInterval, TimeSpan Window, DateTimeOffset? CollectingSince, IReadOnlyList<SiloSample> Samples);

/// <summary>
/// The silo charts' data (the Orleans Dashboard's per-silo page): one <see cref="SiloSample"/> each time the
/// <see cref="DashboardWatch"/> samples, in a ring of the last <see cref="DashboardWatchOptions.HistoryWindow"/>. It
/// samples only while someone watches — it has no timer of its own — so the history has gaps where nobody looked, and
/// is empty on a silo nobody has looked at.
/// </summary>
public sealed class SiloHistory
{
    /// <summary>The most samples a history holds, whatever the window and interval.</summary>
    public const int MaxSamples = 3600;

    private readonly string _siloId;
    private readonly TimeProvider _time;
    private readonly DashboardWatch _watch;
    private readonly ProcessSampler _sampler;
    private readonly GrainCallMetrics _calls;
    private readonly Func<int> _activations;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _window;
    private readonly int _secondsPerSample;
    private readonly Lock _lock = new();
    private readonly SiloSample?[] _ring;
    private int _next;
    private int _count;

    internal SiloHistory(string siloId, TimeProvider time, IOptions<DashboardWatchOptions> options, DashboardWatch watch, ProcessSampler sampler, GrainCallMetrics calls, Func<int> activations)
    {
        _siloId = siloId;
        _time = time;
        _watch = watch;
        _sampler = sampler;
        _calls = calls;
        _activations = activations;
        _interval = options.Value.SampleInterval;
        _window = options.Value.HistoryWindow;
        _secondsPerSample = Math.Max(1, (int)Math.Round(_interval.TotalSeconds));
        _ring = new SiloSample?[Math.Clamp((int)Math.Ceiling(_window / _interval), 1, MaxSamples)];
    }

    /// <summary>Starts sampling with the watch's ticks.</summary>
    internal void Attach() => _watch.Sampled += Record;

    internal void Detach() => _watch.Sampled -= Record;

    /// <summary>The samples of the last window, oldest first.</summary>
    public SiloHistorySnapshot Read()
    {
        var now = _time.GetUtcNow();
        var from = now - _window;
        var samples = new List<SiloSample>(_count);
        lock (_lock)
        {
            for (var i = _count; i >= 1; i--)
            {
                var sample = _ring[(_next - i + _ring.Length) % _ring.Length]!;
                if (sample.At >= from)
                    samples.Add(sample);
            }
        }

        return new SiloHistorySnapshot(_siloId, now, _interval, _window, _watch.WatchedSince, samples);
    }

    /// <summary>Called on the watch's timer: everything read here is a counter already kept, so it cannot fail or wait.</summary>
    internal void Record()
    {
        // Calls per second over the whole seconds the interval covers (the second under way is not over yet).
        var calls = _calls.Read(_secondsPerSample).Seconds.Sum(s => s.Calls);
        var sample = new SiloSample(
            _time.GetUtcNow(),
            _sampler.CpuPercent,
            Environment.WorkingSet,
            GC.GetTotalMemory(forceFullCollection: false),
            _activations(),
            Math.Round(calls / (double)_secondsPerSample, 2));
        lock (_lock)
        {
            _ring[_next] = sample;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }
}
