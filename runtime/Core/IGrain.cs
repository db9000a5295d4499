namespace OrleansSync.Runtime;

/// <summary>
/// Marker for grain interfaces. Every method of a grain interface returns <see cref="Task"/>,
/// <see cref="Task{TResult}"/>, <see cref="ValueTask"/> or <see cref="ValueTask{TResult}"/>; the code generator
/// writes the typed reference and the method descriptors for it at build time.
/// </summary>
public interface IGrain;

/// <summary>
/// A grain identified by a string key. Keys start with the tenant id — <c>"{tenantId}/deal/{dealId}"</c> — because
/// the tenant decides the partition, and the partition decides the silo (see ARCHITECTURE.md, "Placement").
/// </summary>
public interface IGrainWithStringKey : IGrain;
