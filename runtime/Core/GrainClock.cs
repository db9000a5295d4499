namespace OrleansSync.Runtime;

/// <summary>
/// The clock of grain code and reminders: "now" and "today" for business rules — due dates, token expiry. It is the
/// silo's <see cref="TimeProvider"/> unless the host registers another under <see cref="Key"/>; the demo and the tests
/// register the sandbox's clock, which an operator moves forward so that a month passes in a second. Leases,
/// heartbeats and retries keep the silo's own clock, so moving grain time never disturbs the cluster.
/// </summary>
/// <example><c>public InvoiceGrain([FromKeyedServices(GrainClock.Key)] TimeProvider clock)</c></example>
public static class GrainClock
{
    public const string Key = "grain-clock";
}
