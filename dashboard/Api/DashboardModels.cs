using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.QuickBooks;
using Microsoft.Extensions.Logging;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Metrics;

namespace OrleansSync.Dashboard.Api;

// What the dashboard's JSON endpoints answer; docs/DASHBOARD.md describes them field for field.

/// <summary>How the caller got in (<c>key</c>, <c>basic</c>, <c>anonymous</c>) and as whom.</summary>
public sealed record DashboardAuth(string Mode, string? User);

/// <summary><c>GET /dashboard/api/overview</c>: the cluster at a glance.</summary>
public sealed record Overview(
    DateTimeOffset Now,
    string Mode,
    DashboardAuth Auth,
    bool DevMode,
    IReadOnlyList<SiloRow> Silos,
    int PartitionCount,
    IReadOnlyList<string?> PartitionOwners,
    IReadOnlyList<ActivationsOfType> ActivationsByType);

/// <summary>
/// One silo: what the membership table says, and what it says of itself (CPU while watched, memory) — null, with the
/// <see cref="Problem"/>, when it did not answer in time or is gone.
/// </summary>
public sealed record SiloRow(
    string SiloId,
    Uri Address,
    SiloStatus Status,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    double? CpuPercent,
    long? MemoryBytes,
    long? GcHeapBytes,
    int PartitionsOwned,
    int Activations,
    DateTimeOffset LastHeartbeat,
    bool Self,
    string? Problem);

/// <summary>Activations of one grain type, in all and per silo.</summary>
public sealed record ActivationsOfType(string GrainType, int Total, IReadOnlyDictionary<string, int> BySilo);

/// <summary><c>GET /dashboard/api/grains</c>: calls per second and latencies, cluster-wide.</summary>
public sealed record GrainCalls(bool Collecting, DateTimeOffset? CollectingSince, IReadOnlyList<CallSecond> Seconds, IReadOnlyList<GrainTypeCalls> Types);

/// <summary>Every grain call in one second, cluster-wide; <see cref="AverageMs"/> and <see cref="P99Ms"/> are null for a second without timed calls.</summary>
public sealed record CallSecond(DateTimeOffset At, long Calls, long Exceptions, double? AverageMs, double? P99Ms);

public sealed record GrainTypeCalls(string GrainType, double CallsPerSecond, double AverageMs, double? P99Ms, long Exceptions, IReadOnlyList<MethodCalls> Methods);

public sealed record MethodCalls(string Method, double CallsPerSecond, double AverageMs, double? P99Ms, long Exceptions);

/// <summary><c>GET /dashboard/api/reminders</c>: counts, and one page in due order.</summary>
public sealed record Reminders(long Total, long Late, long DueSoon, IReadOnlyList<ReminderRow> Page);

/// <summary>One reminder: <see cref="GrainId"/> is the grain's key.</summary>
public sealed record ReminderRow(string GrainId, string GrainType, string Name, DateTimeOffset NextDue, TimeSpan Period, int Partition, bool Late);

/// <summary><c>GET /dashboard/api/inbox</c>.</summary>
public sealed record InboxView(IReadOnlyList<InboxPartition> Backlog, IReadOnlyList<DeadLetterRow> DeadLetters);

public sealed record InboxPartition(int Partition, long Pending, long Dead, DateTimeOffset? OldestPendingReceivedAt);

/// <summary>A dead letter without its payload; <see cref="Id"/> is "partition.sequence".</summary>
public sealed record DeadLetterRow(string Id, string TenantId, string Source, string EventId, DateTimeOffset ReceivedAt, int Attempts, string? LastError);

/// <summary>The answer to a replay.</summary>
public sealed record ReplayAnswer(bool Replayed);

/// <summary>
/// One tenant (<c>GET /dashboard/api/tenants</c>). <see cref="Problem"/> says why parts are missing: the tenant's
/// grains did not answer in time (busy with a long resync, say).
/// </summary>
public sealed record TenantRow(
    long PortalId,
    bool Installed,
    string? CompanyCurrency,
    ConnectionView? HubSpot,
    HubSpotLimitUsage HubSpotBudget,
    IReadOnlyList<AccountRow> Accounts,
    SyncHealth Health,
    string? Problem);

public sealed record AccountRow(string RealmId, string? CompanyName, ConnectionView Connection, QuickBooksLimitUsage QuickBooksBudget, AccountSyncView? Sync);

/// <summary>
/// F22: deals whose invoice properties are written (in sync), left alone on purpose (excluded: another currency), and
/// everything failing — each failure with its category, detail and how to retry it. <see cref="Failing"/> counts the failures.
/// </summary>
public sealed record SyncHealth(int InSync, int Excluded, int Failing, IReadOnlyList<SyncFailure> Failures);

/// <summary>One failure: of what (<c>deals/123</c>, <c>quickbooks/9341…</c>, <c>hubspot</c>, <c>inbox/17.42</c>), which kind, why, since when, and the retry.</summary>
public sealed record SyncFailure(string Record, string Category, string Detail, DateTimeOffset? Since, RetryAction Retry);

/// <summary>What a retry does: <c>resync</c> (target: realm id), <c>deal-properties</c> (deal id), <c>dead-letter</c> (inbox id), <c>reconnect</c> (<c>hubspot</c> or a realm id).</summary>
public sealed record RetryAction(string Kind, string Target);

/// <summary>The answer to a retry: whether something was done, and what.</summary>
public sealed record RetryDone(bool Done, string Detail);

/// <summary>One invoice found (<c>GET /dashboard/api/invoices</c>).</summary>
public sealed record InvoiceRow(
    long PortalId,
    string RealmId,
    string InvoiceId,
    string? DocNumber,
    string? CustomerName,
    InvoiceStatus Status,
    string StatusLabel,
    decimal TotalAmt,
    decimal Balance,
    string Currency,
    DateOnly? DueDate,
    IReadOnlyList<string> LinkedTo,
    DateTimeOffset LastUpdated);

/// <summary><c>POST /dashboard/api/session</c>: an operator key, or a dashboard user's name and password.</summary>
public sealed record SessionRequest(string? Key, string? User, string? Password);

/// <summary>
/// <c>GET /dashboard/api/logs</c>: log entries of the silos, oldest first; <see cref="Cursor"/> is the <c>after</c> of the
/// next request. <see cref="Skipped"/> counts entries after the previous cursor left out (fallen out of a silo's ring
/// before they were read, or more than <c>take</c>); <see cref="Problems"/> names the silos that did not answer.
/// </summary>
public sealed record LogsView(DateTimeOffset Now, DateTimeOffset? CollectingSince, string Cursor, long Skipped, IReadOnlyList<LogLine> Entries, IReadOnlyList<SiloProblem> Problems);

/// <summary>One log entry of one silo; <see cref="Sequence"/> numbers the entries of that silo.</summary>
public sealed record LogLine(string SiloId, long Sequence, DateTimeOffset At, LogLevel Level, string Category, int EventId, string? EventName, string Message, string? Exception);

/// <summary>A silo that could not be read, and why.</summary>
public sealed record SiloProblem(string SiloId, string Problem);

/// <summary><c>GET /dashboard/api/silos/{siloId}/history</c>: the silo's samples, oldest first, one per sample interval while someone watched.</summary>
public sealed record SiloHistoryView(string SiloId, DateTimeOffset Now, double SampleIntervalSeconds, double WindowSeconds, DateTimeOffset? CollectingSince, IReadOnlyList<SiloSample> Samples);

/// <summary><c>event: tick</c> of the live stream.</summary>
public sealed record LiveTick(DateTimeOffset Now);

/// <summary>The dashboard's JSON, generated at build time: camelCase, enums as strings.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(Overview))]
[JsonSerializable(typeof(GrainCalls))]
[JsonSerializable(typeof(Reminders))]
[JsonSerializable(typeof(InboxView))]
[JsonSerializable(typeof(ReplayAnswer))]
[JsonSerializable(typeof(IReadOnlyList<TenantRow>))]
[JsonSerializable(typeof(RetryAction))]
[JsonSerializable(typeof(RetryDone))]
[JsonSerializable(typeof(IReadOnlyList<InvoiceRow>))]
[JsonSerializable(typeof(InvoiceView))]
[JsonSerializable(typeof(LiveTick))]
[JsonSerializable(typeof(LogsView))]
[JsonSerializable(typeof(SiloHistoryView))]
[JsonSerializable(typeof(RateLimitUsage))]
[JsonSerializable(typeof(SessionRequest))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
