namespace OrleansSync.Sandbox.Common;

/// <summary>
/// An exact sliding-window limit, as the real services enforce theirs: at most <see cref="Limit"/> requests per key in
/// any interval of <see cref="Window"/>. Each key keeps the times of its recent requests; a request is refused (and
/// not counted) when the window is full, with the time until the oldest one leaves it.
/// </summary>
public sealed class RequestWindow(int limit, TimeSpan window, TimeProvider time)
{
    private readonly Dictionary<string, Queue<long>> _requests = [];
    private readonly Lock _lock = new();

    public int Limit { get; } = limit;

    public TimeSpan Window { get; } = window;

    public bool TryAcquire(string key, out TimeSpan retryAfter, out int remaining)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            if (!_requests.TryGetValue(key, out var recent))
                _requests[key] = recent = new Queue<long>();
            while (recent.Count > 0 && time.GetElapsedTime(recent.Peek(), now) >= Window)
                recent.Dequeue();

            if (recent.Count >= Limit)
            {
                retryAfter = Window - time.GetElapsedTime(recent.Peek(), now);
                remaining = 0;
                return false;
            }

            recent.Enqueue(now);
            retryAfter = TimeSpan.Zero;
            remaining = Limit - recent.Count;
            return true;
        }
    }
}

/// <summary>At most <paramref name="limit"/> requests in flight per key.</summary>
public sealed class ConcurrencyWindow(int limit)
{
    private readonly Dictionary<string, int> _inFlight = [];
    private readonly Lock _lock = new();

    public int Limit { get; } = limit;

    public bool TryEnter(string key)
    {
        lock (_lock)
        {
            var current = _inFlight.GetValueOrDefault(key);
            if (current >= Limit)
                return false;
            _inFlight[key] = current + 1;
            return true;
        }
    }

    public void Exit(string key)
    {
        lock (_lock)
        {
            if (_inFlight.TryGetValue(key, out var current))
                _inFlight[key] = current - 1;
        }
    }
}
