using OrleansSync.Runtime.Activation;

namespace OrleansSync.Runtime.Metrics;

/// <summary>
/// What the call metrics keep of one activation while someone watches (<see cref="GrainCallMetrics"/>): which of its
/// calls to observe, and what its observed calls stood for, per method. The observed calls write here, inside the
/// activation's turns (one at a time); the metrics read it and collect from it once a second, under their lock.
/// </summary>
internal sealed class ObservedActivation(ActivationData activation)
{
    /// <summary>The most calls one observed call stands for.</summary>
    public const int MaxStride = 1 << 20;

    /// <summary>
    /// How many calls an activation observes before its first share is set (or a quiet one beyond its share) before it
    /// doubles its stride: a burst on one activation is sampled within the second, before the shares are set again.
    /// </summary>
    private const int FirstHitLimit = 256;

    private uint _random = (uint)Random.Shared.Next() | 1;
    private long[] _collectedWeights = [];

    public ActivationData Activation { get; } = activation;

    /// <summary>The watch this activation is observed in (<see cref="Start"/>); an earlier one's is stale.</summary>
    public int Watch { get; private set; }

    /// <summary><see cref="ActivationData.Calls"/> at the last observed call.</summary>
    public long LastObserved { get; private set; }

    /// <summary>The slot of the last observed call's method (-1: none yet).</summary>
    public int LastSlot { get; private set; } = -1;

    /// <summary>The calls the observed calls stood for, by their method's <see cref="MethodCallStats.Slot"/>; replaced when it grows.</summary>
    public long[] Weights { get; private set; } = new long[4];

    /// <summary>Observe one call in about this many (1: every call). Set from the activation's share each second.</summary>
    public int Stride { get; private set; } = 1;

    /// <summary>The calls observed since the share was last set; beyond <see cref="_hitLimit"/>, the stride doubles.</summary>
    private int _hits;

    private int _hitLimit = FirstHitLimit;

    /// <summary>The calls the activation ran since its share was last set, as far as collected (the metrics', under their lock).</summary>
    public long CallsSinceShared { get; private set; }

    /// <summary>The activation's <see cref="ActivationData.Calls"/> collected so far (the metrics', under their lock).</summary>
    private long _collectedCalls;

    /// <summary>Starts observing in <paramref name="watch"/>, from the call now running (in its turn, under the metrics' lock).</summary>
    public void Start(int watch)
    {
        Watch = watch;
        LastObserved = Activation.Calls - 1;
        _collectedCalls = LastObserved;
        LastSlot = -1;
        Array.Clear(Weights);
        _collectedWeights = new long[Weights.Length];
        Stride = 1;
        _hits = 0;
        _hitLimit = FirstHitLimit;
        CallsSinceShared = 0;
    }

    /// <summary>
    /// The call now running (in the activation's turn) is observed, and is a call of the method at
    /// <paramref name="slot"/>: it stands for the calls since the last observed one, and the activation is told which
    /// call to observe next. Returns how many calls it stands for.
    /// </summary>
    public long Observed(int slot)
    {
        var calls = Activation.Calls;
        var weight = calls - LastObserved;
        LastObserved = calls;
        LastSlot = slot;

        var weights = Weights;
        if (slot >= weights.Length)
        {
            var larger = new long[Math.Max(slot + 1, weights.Length * 2)];
            weights.CopyTo(larger, 0);
            Weights = weights = larger;
        }

        weights[slot] += weight;
        if (++_hits > _hitLimit && Stride < MaxStride)
        {
            // Busier than its share allowed for: observe half as often until the share is set again.
            Stride = Math.Min(Stride * 2, MaxStride);
            _hits = 0;
        }

        Activation.NextObserved = calls + NextGap();
        return weight;
    }

    /// <summary>
    /// Moves the calls the activation ran since the last collection into its methods' <see cref="MethodCallStats.Collected"/>,
    /// split in proportion to what its observed calls stood for (exactly, when it observed every call). Under the
    /// metrics' lock.
    /// </summary>
    public void Collect()
    {
        var bySlot = Volatile.Read(ref Activation.GrainClass.CallStatsBySlot);
        var calls = Volatile.Read(ref Activation.Calls);
        var weights = Weights;
        if (_collectedWeights.Length < weights.Length)
            Array.Resize(ref _collectedWeights, weights.Length);

        Span<long> observed = stackalloc long[Math.Min(weights.Length, bySlot.Length)];
        long total = 0;
        var largest = -1;
        for (var slot = 0; slot < observed.Length; slot++)
        {
            var weight = Volatile.Read(ref weights[slot]);
            observed[slot] = weight - _collectedWeights[slot];
            _collectedWeights[slot] = weight;
            total += observed[slot];
            if (observed[slot] > 0 && (largest < 0 || observed[slot] > observed[largest]))
                largest = slot;
        }

        var ran = calls - _collectedCalls;
        var lastSlot = LastSlot;
        if (ran <= 0 || (total <= 0 && (uint)lastSlot >= (uint)bySlot.Length))
        {
            // Nothing ran, or nothing observed yet to say which method it was: left for the next collection.
            return;
        }

        _collectedCalls = calls;
        CallsSinceShared += ran;
        if (total <= 0)
        {
            // Calls ran but none was observed since: they are the method last observed's, as far as anyone can tell.
            bySlot[lastSlot].Collected += ran;
            return;
        }

        var left = ran;
        for (var slot = 0; slot < observed.Length; slot++)
        {
            if (observed[slot] <= 0)
                continue;
            var part = (long)((double)ran * observed[slot] / total);
            bySlot[slot].Collected += part;
            left -= part;
        }

        bySlot[largest].Collected += left;
    }

    /// <summary>
    /// Sets the stride for the next second from the calls of the last (<see cref="CallsSinceShared"/>, which starts
    /// again) and the calls one activation may observe (<paramref name="share"/>). Under the metrics' lock, while the
    /// activation may be observing: a race loses at most a doubling or a count of hits, both set again a second later.
    /// </summary>
    public void Share(double share)
    {
        var calls = CallsSinceShared;
        Stride = calls <= share ? 1 : (int)Math.Min(MaxStride, Math.Round(calls / share));
        _hitLimit = Math.Max(FirstHitLimit, (int)Math.Min(int.MaxValue / 2, 2 * Math.Ceiling(Math.Min(calls, share))));
        _hits = 0;
        CallsSinceShared = 0;
    }

    /// <summary>The calls until the next one to observe: 1 while observing every call, else at random from 1 to 2 × stride − 1.</summary>
    private long NextGap()
    {
        var stride = Stride;
        if (stride == 1)
            return 1;

        // xorshift32: the gaps need not be good random numbers, only free of any pattern calls might have.
        var x = _random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _random = x;
        return 1 + (long)(((ulong)x * (ulong)((2 * stride) - 1)) >> 32);
    }
}
