namespace OrleansSync.Sandbox.HubSpot;

/// <summary>A property value the CRM stored: which record, which property, the value as stored, and who set it.</summary>
public sealed record CrmPropertyChange(long PortalId, string ObjectType, long ObjectId, string Property, string Value, string Source, DateTimeOffset At);

/// <summary>
/// Sees every property value the sandbox's CRM stores, the moment it stores it, whoever sets it (an app through the API,
/// a person through the admin endpoints, HubSpot's own calculations, the seed; all but the link and amount a quote gets
/// when published) — for tests and benchmarks that need to know when a write landed without polling for it. Only real
/// changes are seen: HubSpot ignores a write of the value a property already has, and so does this. Register any
/// number in DI (<c>services.AddSingleton&lt;ICrmChangeObserver&gt;(…)</c>); none are registered by default.
/// </summary>
/// <remarks>Called under the portal's lock, on the request's thread: be quick, and do not call back into the sandbox.</remarks>
public interface ICrmChangeObserver
{
    void PropertyChanged(CrmPropertyChange change);
}
