using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansSync.Api.Operators;
using OrleansSync.Api.Tenants;
using OrleansSync.Api.Webhooks;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime.Cluster;
using OrleansSync.Runtime.Inbox;
using OrleansSync.Runtime.Outbox;

namespace OrleansSync.Api.Hosting;

/// <summary>The api's JSON, generated at build time.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(IReadOnlyList<SiloView>))]
[JsonSerializable(typeof(IReadOnlyList<DeadLetter>))]
[JsonSerializable(typeof(IReadOnlyList<InboxBacklog>))]
[JsonSerializable(typeof(ReplayedEvent))]
[JsonSerializable(typeof(IReadOnlyList<PublishedEvent>))]
[JsonSerializable(typeof(PublishedEvent))]
[JsonSerializable(typeof(OutboxBacklog))]
[JsonSerializable(typeof(CreateInvoiceRequest))]
[JsonSerializable(typeof(LinkInvoiceRequest))]
[JsonSerializable(typeof(ConnectStart))]
[JsonSerializable(typeof(TenantView))]
[JsonSerializable(typeof(TenantView[]))]
[JsonSerializable(typeof(IReadOnlyList<AccountView>))]
[JsonSerializable(typeof(AccountView))]
[JsonSerializable(typeof(IReadOnlyList<InvoiceSnapshot>))]
[JsonSerializable(typeof(InvoiceView))]
[JsonSerializable(typeof(InvoiceSummary))]
[JsonSerializable(typeof(CreatedInvoice))]
[JsonSerializable(typeof(DealInvoicesView))]
[JsonSerializable(typeof(RecordInvoicesView))]
[JsonSerializable(typeof(LinkedInvoice))]
[JsonSerializable(typeof(ResyncReport))]
[JsonSerializable(typeof(WebhookReceipt))]
[JsonSerializable(typeof(TenantSettingsRequest))]
[JsonSerializable(typeof(InvoiceSettings))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
