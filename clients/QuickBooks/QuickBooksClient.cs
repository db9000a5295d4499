using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OrleansSync.Clients.QuickBooks.Model;

namespace OrleansSync.Clients.QuickBooks;

/// <summary>
/// The QuickBooks Online Accounting API (<c>/v3/company/{realmId}/…</c>), one method per operation. Every write takes
/// a <c>requestId</c>: QuickBooks answers a repeated id with the first answer, so a retried write never makes a second
/// object. Limits, token refresh, retries and error mapping are the transport's (<see cref="QuickBooksTransport"/>).
/// </summary>
public sealed class QuickBooksClient
{
    public const int MaxBatchItems = 30;

    private readonly QuickBooksTransport _transport;

    internal QuickBooksClient(QuickBooksTransport transport) => _transport = transport;

    // Invoices

    public Task<Invoice> CreateInvoiceAsync(string realmId, Invoice invoice, string requestId, CancellationToken cancellationToken = default)
        => WriteAsync(realmId, "invoice", invoice, requestId, "Create invoice", cancellationToken);

    public Task<Invoice> GetInvoiceAsync(string realmId, string invoiceId, CancellationToken cancellationToken = default)
        => ReadAsync<Invoice>(realmId, $"invoice/{Escape(invoiceId)}", "Read invoice", cancellationToken);

    /// <summary>A sparse update: only the fields set on <paramref name="changes"/> change. Needs Id and the latest SyncToken.</summary>
    public Task<Invoice> UpdateInvoiceAsync(string realmId, Invoice changes, string requestId, CancellationToken cancellationToken = default)
        => WriteAsync(realmId, "invoice", RequireIdentity(changes) with { Sparse = true }, requestId, "Update invoice", cancellationToken);

    public async Task<DeletedEntity> DeleteInvoiceAsync(string realmId, string invoiceId, string syncToken, string requestId, CancellationToken cancellationToken = default)
    {
        var response = await _transport.SendAsync(Post(realmId, "invoice", IdentityBody(invoiceId, syncToken), requestId, "Delete invoice", ("operation", "delete")), cancellationToken);
        return Entity(response, Invoice.EntityName, QuickBooksJsonContext.Default.DeletedEntity);
    }

    /// <summary>Voids an invoice: its amounts become zero and "Voided" is put before its private note; the record stays.</summary>
    public async Task<Invoice> VoidInvoiceAsync(string realmId, string invoiceId, string syncToken, string requestId, CancellationToken cancellationToken = default)
    {
        var response = await _transport.SendAsync(Post(realmId, "invoice", IdentityBody(invoiceId, syncToken), requestId, "Void invoice", ("operation", "void")), cancellationToken);
        return Entity(response, Invoice.EntityName, QuickBooksJsonContext.Default.Invoice);
    }

    /// <summary>Emails the invoice (to <paramref name="sendTo"/>, or its BillEmail): EmailStatus becomes EmailSent.</summary>
    public async Task<Invoice> SendInvoiceAsync(string realmId, string invoiceId, string? sendTo, string requestId, CancellationToken cancellationToken = default)
    {
        var query = sendTo is null ? null : new Dictionary<string, string> { ["sendTo"] = sendTo };
        var request = new QuickBooksRequest(realmId, HttpMethod.Post, $"invoice/{Escape(invoiceId)}/send", "Send invoice", [], "application/octet-stream", requestId, Query: query);
        return Entity(await _transport.SendAsync(request, cancellationToken), Invoice.EntityName, QuickBooksJsonContext.Default.Invoice);
    }

    public async Task<byte[]> GetInvoicePdfAsync(string realmId, string invoiceId, CancellationToken cancellationToken = default)
        => (await _transport.SendAsync(new QuickBooksRequest(realmId, HttpMethod.Get, $"invoice/{Escape(invoiceId)}/pdf", "Read invoice PDF", Accept: "application/pdf"), cancellationToken)).Body;

    // Customers

    public Task<Customer> CreateCustomerAsync(string realmId, Customer customer, string requestId, CancellationToken cancellationToken = default)
        => WriteAsync(realmId, "customer", customer, requestId, "Create customer", cancellationToken);

    public Task<Customer> GetCustomerAsync(string realmId, string customerId, CancellationToken cancellationToken = default)
        => ReadAsync<Customer>(realmId, $"customer/{Escape(customerId)}", "Read customer", cancellationToken);

    public Task<Customer> UpdateCustomerAsync(string realmId, Customer changes, string requestId, CancellationToken cancellationToken = default)
        => WriteAsync(realmId, "customer", RequireIdentity(changes) with { Sparse = true }, requestId, "Update customer", cancellationToken);

    /// <summary>Active customers with this primary email address.</summary>
    public async Task<IReadOnlyList<Customer>> FindCustomersByEmailAsync(string realmId, string email, CancellationToken cancellationToken = default)
        => (await QueryAsync<Customer>(realmId, QuickBooksQuery.From<Customer>().Where("PrimaryEmailAddr", "=", email), cancellationToken)).Entities;

    /// <summary>Active customers with this display name (at most one: display names are unique).</summary>
    public async Task<IReadOnlyList<Customer>> FindCustomersByDisplayNameAsync(string realmId, string displayName, CancellationToken cancellationToken = default)
        => (await QueryAsync<Customer>(realmId, QuickBooksQuery.From<Customer>().Where("DisplayName", "=", displayName), cancellationToken)).Entities;

    // Items, payments, terms, tax codes

    public Task<Item> GetItemAsync(string realmId, string itemId, CancellationToken cancellationToken = default)
        => ReadAsync<Item>(realmId, $"item/{Escape(itemId)}", "Read item", cancellationToken);

    public Task<Payment> GetPaymentAsync(string realmId, string paymentId, CancellationToken cancellationToken = default)
        => ReadAsync<Payment>(realmId, $"payment/{Escape(paymentId)}", "Read payment", cancellationToken);

    public Task<Term> GetTermAsync(string realmId, string termId, CancellationToken cancellationToken = default)
        => ReadAsync<Term>(realmId, $"term/{Escape(termId)}", "Read term", cancellationToken);

    public Task<TaxCode> GetTaxCodeAsync(string realmId, string taxCodeId, CancellationToken cancellationToken = default)
        => ReadAsync<TaxCode>(realmId, $"taxcode/{Escape(taxCodeId)}", "Read tax code", cancellationToken);

    public Task<CompanyInfo> GetCompanyInfoAsync(string realmId, CancellationToken cancellationToken = default)
        => ReadAsync<CompanyInfo>(realmId, $"companyinfo/{Escape(realmId)}", "Read company info", cancellationToken);

    public Task<Preferences> GetPreferencesAsync(string realmId, CancellationToken cancellationToken = default)
        => ReadAsync<Preferences>(realmId, "preferences", "Read preferences", cancellationToken);

    // Queries

    /// <summary>One page of a query.</summary>
    public async Task<QueryResult<T>> QueryAsync<T>(string realmId, QuickBooksQuery query, CancellationToken cancellationToken = default)
        where T : IQuickBooksEntity
    {
        if (query.Entity != T.EntityName)
            throw new ArgumentException($"The query is about {query.Entity}, not {T.EntityName}.", nameof(query));
        using var document = await QueryDocumentAsync(realmId, query, cancellationToken);
        var answer = Property(document.RootElement, "QueryResponse");
        var entities = answer is { } queryResponse && Property(queryResponse, T.EntityName) is { } items
            ? (List<T>)items.Deserialize(ListTypeInfo<T>())!
            : [];
        return new QueryResult<T>(entities, Int(answer, "startPosition"), Int(answer, "maxResults"), Int(answer, "totalCount"));
    }

    /// <summary>Every result of a query, page after page (1,000 at a time unless the query says otherwise).</summary>
    public async IAsyncEnumerable<T> QueryAllAsync<T>(string realmId, QuickBooksQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : IQuickBooksEntity
    {
        var pageSize = query.PageSize ?? QuickBooksQuery.MaxPageSize;
        for (var start = query.Start ?? 1; ; start += pageSize)
        {
            var page = await QueryAsync<T>(realmId, query.Page(start, pageSize), cancellationToken);
            foreach (var entity in page.Entities)
                yield return entity;
            if (page.Entities.Count < pageSize)
                yield break;
        }
    }

    public async Task<int> CountAsync(string realmId, QuickBooksQuery query, CancellationToken cancellationToken = default)
    {
        using var document = await QueryDocumentAsync(realmId, query.Count(), cancellationToken);
        return Int(Property(document.RootElement, "QueryResponse"), "totalCount") ?? 0;
    }

    // Change data capture and batch

    /// <summary>
    /// Everything of these types changed since <paramref name="changedSince"/> (at most 30 days back; QuickBooks
    /// answers at most 1,000 objects, so callers choose windows small enough).
    /// </summary>
    public async Task<ChangeSet> GetChangesAsync(string realmId, IReadOnlyCollection<string> entities, DateTimeOffset changedSince, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(entities.Count);
        var query = new Dictionary<string, string>
        {
            ["entities"] = string.Join(',', entities),
            ["changedSince"] = changedSince.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        };
        var response = await _transport.SendAsync(new QuickBooksRequest(realmId, HttpMethod.Get, "cdc", "Change data capture", Query: query), cancellationToken);
        using var document = JsonDocument.Parse(response.Body);
        var changes = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
        foreach (var cdc in Array(Property(document.RootElement, "CDCResponse")))
        {
            foreach (var queryResponse in Array(Property(cdc, "QueryResponse")))
            {
                foreach (var property in queryResponse.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array))
                {
                    if (!changes.TryGetValue(property.Name, out var list))
                        changes[property.Name] = list = [];
                    list.AddRange(property.Value.EnumerateArray().Select(e => e.Clone()));
                }
            }
        }

        var time = Property(document.RootElement, "time") is { ValueKind: JsonValueKind.String } t && t.TryGetDateTimeOffset(out var at) ? at : (DateTimeOffset?)null;
        return new ChangeSet(changes.ToDictionary(c => c.Key, c => (IReadOnlyList<JsonElement>)c.Value), time);
    }

    /// <summary>Up to 30 operations in one request; each answers on its own (an entity, a query answer or a fault).</summary>
    public async Task<IReadOnlyList<BatchItemResponse>> BatchAsync(string realmId, IReadOnlyList<BatchItemRequest> items, string requestId, CancellationToken cancellationToken = default)
    {
        if (items.Count is 0 or > MaxBatchItems)
            throw new ArgumentException($"A batch holds 1 to {MaxBatchItems} operations, not {items.Count}.", nameof(items));

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("BatchItemRequest");
            foreach (var item in items)
                item.WriteTo(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        var response = await _transport.SendAsync(Post(realmId, "batch", buffer.ToArray(), requestId, "Batch"), cancellationToken);
        using var document = JsonDocument.Parse(response.Body);
        return Array(Property(document.RootElement, "BatchItemResponse")).Select(ReadBatchItem).ToList();
    }

    private static BatchItemResponse ReadBatchItem(JsonElement item)
    {
        var batchId = Property(item, "bId")?.GetString() ?? "";
        if (Property(item, "Fault") is { } faultElement && faultElement.Deserialize(QuickBooksJsonContext.Default.FaultBody) is { } fault)
            return new BatchItemResponse(batchId, null, null, null, QuickBooksFaults.FromFault(fault, null, null, $"Batch item {batchId}"));
        if (Property(item, "QueryResponse") is { } query)
            return new BatchItemResponse(batchId, null, null, query.Clone(), null);
        var entity = item.EnumerateObject().FirstOrDefault(p => p.Name != "bId" && p.Value.ValueKind == JsonValueKind.Object);
        return new BatchItemResponse(batchId, entity.Name, entity.Value.ValueKind == JsonValueKind.Object ? entity.Value.Clone() : null, null, null);
    }

    // Plumbing

    private async Task<T> ReadAsync<T>(string realmId, string path, string operation, CancellationToken cancellationToken)
        where T : IQuickBooksEntity
        => Entity(await _transport.SendAsync(new QuickBooksRequest(realmId, HttpMethod.Get, path, operation), cancellationToken), T.EntityName, TypeInfo<T>());

    private async Task<T> WriteAsync<T>(string realmId, string path, T entity, string requestId, string operation, CancellationToken cancellationToken)
        where T : IQuickBooksEntity
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        var body = JsonSerializer.SerializeToUtf8Bytes(entity, TypeInfo<T>());
        return Entity(await _transport.SendAsync(Post(realmId, path, body, requestId, operation), cancellationToken), T.EntityName, TypeInfo<T>());
    }

    private async Task<JsonDocument> QueryDocumentAsync(string realmId, QuickBooksQuery query, CancellationToken cancellationToken)
    {
        var request = new QuickBooksRequest(realmId, HttpMethod.Get, "query", $"Query {query.Entity}", Query: new Dictionary<string, string> { ["query"] = query.ToString() });
        return JsonDocument.Parse((await _transport.SendAsync(request, cancellationToken)).Body);
    }

    private static QuickBooksRequest Post(string realmId, string path, byte[] body, string requestId, string operation, params (string Name, string Value)[] query)
        => new(realmId, HttpMethod.Post, path, operation, body, "application/json", requestId, Query: query.ToDictionary(q => q.Name, q => q.Value));

    private static byte[] IdentityBody(string id, string syncToken)
        => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["Id"] = id, ["SyncToken"] = syncToken }, QuickBooksJsonContext.Default.DictionaryStringString);

    private static T RequireIdentity<T>(T entity)
        where T : QuickBooksEntityBase
        => string.IsNullOrEmpty(entity.Id) || string.IsNullOrEmpty(entity.SyncToken)
            ? throw new ArgumentException("An update needs the object's Id and its latest SyncToken.", nameof(entity))
            : entity;

    private static T Entity<T>(Http.CapturedResponse response, string entityName, JsonTypeInfo<T> typeInfo)
    {
        using var document = JsonDocument.Parse(response.Body);
        var element = Property(document.RootElement, entityName)
            ?? throw new QuickBooksException($"QuickBooks answered without the {entityName} it was asked for.", response.Status);
        return element.Deserialize(typeInfo)!;
    }

    private static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)QuickBooksJsonContext.Default.GetTypeInfo(typeof(T))!;

    private static JsonTypeInfo ListTypeInfo<T>() => QuickBooksJsonContext.Default.GetTypeInfo(typeof(List<T>))
        ?? throw new InvalidOperationException($"List<{typeof(T).Name}> is missing from QuickBooksJsonContext.");

    private static JsonElement? Property(JsonElement? element, string name)
    {
        if (element is not { ValueKind: JsonValueKind.Object } value)
            return null;
        foreach (var property in value.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                return property.Value;
        }

        return null;
    }

    private static IEnumerable<JsonElement> Array(JsonElement? element)
        => element is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    private static int? Int(JsonElement? element, string name)
        => Property(element, name) is { ValueKind: JsonValueKind.Number } number && number.TryGetInt32(out var value) ? value : null;

    private static string Escape(string id) => Uri.EscapeDataString(id);
}
