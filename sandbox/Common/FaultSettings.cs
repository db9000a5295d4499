namespace OrleansSync.Sandbox.Common;

/// <summary>
/// Trouble the sandbox makes on purpose, per API (configuration <c>Sandbox:QuickBooks:Faults</c> and
/// <c>Sandbox:HubSpot:Faults</c>, or <c>PUT /sandbox/{api}/admin/faults</c>).
/// </summary>
public sealed class FaultSettings
{
    /// <summary>Added to every API request.</summary>
    public int LatencyMilliseconds { get; set; }

    /// <summary>Share of API requests (0 to 1) answered with a server error before they do anything.</summary>
    public double ServerErrorRate { get; set; }

    /// <summary>Share of API requests that never answer (until the caller gives up, or two minutes).</summary>
    public double TimeoutRate { get; set; }

    /// <summary>Share of webhook deliveries lost without a trace, never retried.</summary>
    public double DroppedWebhookRate { get; set; }

    public FaultSettings Copy() => (FaultSettings)MemberwiseClone();

    public string? Validate()
    {
        if (LatencyMilliseconds is < 0 or > 60_000)
            return "latencyMilliseconds must be between 0 and 60000.";
        foreach (var (name, rate) in new[] { ("serverErrorRate", ServerErrorRate), ("timeoutRate", TimeoutRate), ("droppedWebhookRate", DroppedWebhookRate) })
        {
            if (rate is < 0 or > 1 || double.IsNaN(rate))
                return $"{name} must be between 0 and 1.";
        }

        return null;
    }
}

/// <summary>The fault settings in force for one API; replaced whole by the admin call.</summary>
public sealed class FaultInjector(FaultSettings initial)
{
    private static readonly TimeSpan TimeoutHang = TimeSpan.FromMinutes(2);
    private volatile FaultSettings _settings = initial.Copy();

    public FaultSettings Current => _settings.Copy();

    public void Set(FaultSettings settings) => _settings = settings.Copy();

    public bool DropWebhook() => Random.Shared.NextDouble() < _settings.DroppedWebhookRate;

    /// <summary>
    /// Applies latency, then maybe a timeout or a server error: returns the result to answer with, or <c>null</c> to
    /// go on normally.
    /// </summary>
    public async Task<IResult?> BeforeRequestAsync(Func<IResult> serverError, CancellationToken cancellationToken)
    {
        var settings = _settings;
        if (settings.LatencyMilliseconds > 0)
            await Task.Delay(settings.LatencyMilliseconds, cancellationToken);
        if (settings.TimeoutRate > 0 && Random.Shared.NextDouble() < settings.TimeoutRate)
        {
            await Task.Delay(TimeoutHang, cancellationToken);
            return Results.StatusCode(StatusCodes.Status504GatewayTimeout);
        }

        return settings.ServerErrorRate > 0 && Random.Shared.NextDouble() < settings.ServerErrorRate ? serverError() : null;
    }
}
