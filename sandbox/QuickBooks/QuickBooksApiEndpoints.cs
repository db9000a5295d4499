using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>
/// The Accounting API under <c>/v3/company/{realmId}</c> (QUICKBOOKS-API.md §1, §5–§7): entities read and written as
/// QuickBooks does, invoices sent, voided, deleted and printed, queries, change data capture and batches.
/// </summary>
internal static class QuickBooksApiEndpoints
{
    private const int MaxBatchItems = 30;
    private const int MaxChangesPerAnswer = 1000;
    private static readonly TimeSpan ChangeDataCaptureLookBack = TimeSpan.FromDays(30);
    private static readonly string[] NoChangeDataCapture = ["JournalCode", "TaxAgency", "TimeActivity", "TaxCode", "TaxRate"];

    public static RouteGroupBuilder MapQuickBooksApi(this RouteGroupBuilder group)
    {
        var company = group.MapGroup("/v3/company/{realmId}");
        company.MapGet("/companyinfo/{companyId}", (HttpContext http, QuickBooksSandbox sandbox, string realmId, string companyId)
            => QuickBooksApiCall.ExecuteAsync(http, sandbox, realmId, realm => companyId == realmId
                ? Outcome.Ok(Wrap(realm, "CompanyInfo", realm.CompanyInfo.DeepClone()))
                : throw SandboxFault.NotFound($"Object Not Found : CompanyInfo {companyId} is not this company's.")));
        company.MapGet("/preferences", (HttpContext http, QuickBooksSandbox sandbox, string realmId)
            => QuickBooksApiCall.ExecuteAsync(http, sandbox, realmId, realm => Outcome.Ok(Wrap(realm, "Preferences", realm.Preferences.DeepClone()))));
        company.MapGet("/query", (HttpContext http, QuickBooksSandbox sandbox, string realmId, string? query)
            => QuickBooksApiCall.ExecuteAsync(http, sandbox, realmId, realm => QuickBooksQueryAnswers.Answer(realm, query)));
        company.MapPost("/query", async (HttpContext http, QuickBooksSandbox sandbox, string realmId) =>
        {
            // A query by POST carries the query text as the body (Content-Type: application/text).
            var text = await new StreamReader(http.Request.Body).ReadToEndAsync(http.RequestAborted);
            return await QuickBooksApiCall.ExecuteAsync(http, sandbox, realmId, realm => QuickBooksQueryAnswers.Answer(realm, text));
        });
        company.MapGet("/cdc", (HttpContext http, QuickBooksSandbox sandbox, string realmId, string? entities, string? changedSince)
            => QuickBooksApiCall.ExecuteAsync(http, sandbox, realmId, realm => ChangeDataCapture(realm, entities, changedSince)));
        company.MapPost("/batch", (HttpContext http, QuickBooksSandbox sandbox, string realmId)
            => QuickBooksApiCall.ExecuteWithBodyAsync(http, sandbox, realmId, Batch));
        company.MapGet("/invoice/{id}/pdf", (HttpContext http, QuickBooksSandbox sandbox, string realmId, string id)
            => QuickBooksApiCall.ExecuteAsync(http, sandbox, realmId, realm => new Outcome(200, null, InvoicePdf.Render(realm.Get(QuickBooksEntities.Invoice, id)), "application/pdf")));
        company.MapPost("/invoice/{id}/send", (HttpContext http, QuickBooksSandbox sandbox, string realmId, string id, string? sendTo)
            => QuickBooksApiCall.ExecuteAsync(http, sandbox, realmId, realm =>
            {
                var (invoice, change) = InvoiceRules.Send(realm, id, sendTo);
                return Outcome.Ok(Wrap(realm, QuickBooksEntities.Invoice, invoice), change);
            }));
        company.MapGet("/{entity}/{id}", (HttpContext http, QuickBooksSandbox sandbox, string realmId, string entity, string id)
            => QuickBooksApiCall.ExecuteAsync(http, sandbox, realmId, realm =>
            {
                var name = EntityOf(entity);
                return Outcome.Ok(Wrap(realm, name, realm.Get(name, id)));
            }));
        company.MapPost("/{entity}", (HttpContext http, QuickBooksSandbox sandbox, string realmId, string entity, string? operation)
            => QuickBooksApiCall.ExecuteWithBodyAsync(http, sandbox, realmId, (realm, body) => Write(realm, EntityOf(entity), operation, body)));
        return group;
    }

    /// <summary>Create, update (sparse or full), delete and void, as one entity path answers them.</summary>
    internal static Outcome Write(SandboxRealm realm, string entity, string? operation, JsonObject body)
    {
        var hasId = body["Id"] is not null;
        switch (entity, operation?.ToLowerInvariant(), hasId)
        {
            case (QuickBooksEntities.Invoice, "delete", _):
                {
                    var (deleted, change) = InvoiceRules.Delete(realm, InvoiceRules.RequiredString(body, "Id"), body["SyncToken"]?.ToString());
                    return Outcome.Ok(Wrap(realm, entity, deleted), change);
                }

            case (QuickBooksEntities.Invoice, "void", _):
                {
                    var (voided, change) = InvoiceRules.Void(realm, InvoiceRules.RequiredString(body, "Id"), body["SyncToken"]?.ToString());
                    return Outcome.Ok(Wrap(realm, entity, voided), change);
                }

            case (QuickBooksEntities.Invoice, null or "update" or "create", false):
                {
                    var (created, change) = InvoiceRules.Create(realm, body);
                    return Outcome.Ok(Wrap(realm, entity, created), change);
                }

            case (QuickBooksEntities.Invoice, null or "update", true):
                {
                    var (updated, change) = InvoiceRules.Update(realm, body);
                    return Outcome.Ok(Wrap(realm, entity, updated), change);
                }

            case (QuickBooksEntities.Customer, null or "update" or "create", false):
                {
                    var (created, change) = CustomerRules.Create(realm, body);
                    return Outcome.Ok(Wrap(realm, entity, created), change);
                }

            case (QuickBooksEntities.Customer, null or "update", true):
                {
                    var (updated, change) = CustomerRules.Update(realm, body);
                    return Outcome.Ok(Wrap(realm, entity, updated), change);
                }

            case (QuickBooksEntities.Customer, "delete", _):
                // Customers are made inactive, never deleted.
                throw SandboxFault.Unsupported("Customers cannot be deleted; set Active to false with an update.");

            default:
                throw SandboxFault.Unsupported($"The sandbox does not {operation ?? (hasId ? "update" : "create")} {entity} objects through the API.");
        }
    }

    /// <summary>
    /// Everything of the given types changed since a moment, deleted objects last, at most 30 days back. The answer
    /// holds at most 1,000 objects (the oldest changes first); what happens beyond that is not documented, so a caller
    /// getting 1,000 should ask again with a shorter window.
    /// </summary>
    internal static Outcome ChangeDataCapture(SandboxRealm realm, string? entities, string? changedSince)
    {
        if (string.IsNullOrWhiteSpace(entities))
            throw SandboxFault.RequiredMissing("entities", "Required parameter entities is missing: name the entity types, comma-separated.");
        if (!TryParseMoment(changedSince, out var since))
            throw SandboxFault.RequiredMissing("changedSince", "Required parameter changedSince is missing or not a date (yyyy-MM-dd) or date-time (ISO 8601).");
        if (realm.Now - since > ChangeDataCaptureLookBack)
            // The fault QuickBooks answers for a look-back beyond 30 days is not documented; this one says what is wrong.
            throw new SandboxFault(400, "ValidationFault", "4001", "Invalid query", "QueryValidationError: changedSince cannot be more than 30 days ago.", "changedSince");

        var names = new List<string>();
        foreach (var requested in entities.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (NoChangeDataCapture.Contains(requested, StringComparer.OrdinalIgnoreCase))
                throw SandboxFault.Unsupported($"Change data capture does not support {requested}.");
            names.Add(QuickBooksEntities.FromPath(requested) ?? throw SandboxFault.Unsupported($"{requested} is not an entity the sandbox keeps."));
        }

        var left = MaxChangesPerAnswer;
        var answers = new JsonArray();
        foreach (var name in names.Distinct())
        {
            var changed = realm.ChangedSince(name, since).Take(left).ToList();
            left -= changed.Count;
            if (changed.Count > 0)
                answers.Add(new JsonObject { [name] = new JsonArray([.. changed]), ["startPosition"] = 1, ["maxResults"] = changed.Count, ["totalCount"] = changed.Count });
        }

        if (answers.Count == 0)
            answers.Add(new JsonObject());
        return Outcome.Ok(new JsonObject
        {
            ["CDCResponse"] = new JsonArray(new JsonObject { ["QueryResponse"] = answers }),
            ["time"] = QuickBooksTime.Format(realm.Now),
        });
    }

    /// <summary>Up to 30 independent operations; each answers with its entity, its query answer, or its own fault.</summary>
    internal static Outcome Batch(SandboxRealm realm, JsonObject body)
    {
        if (body["BatchItemRequest"] is not JsonArray items || items.Count == 0)
            throw SandboxFault.RequiredMissing("BatchItemRequest", "Required parameter BatchItemRequest is missing: a batch needs 1 to 30 operations.");
        if (items.Count > MaxBatchItems)
            throw SandboxFault.BusinessValidation(string.Create(CultureInfo.InvariantCulture, $"A batch holds at most {MaxBatchItems} operations; this one has {items.Count}."), "BatchItemRequest");

        var answers = new JsonArray();
        var changes = new List<EntityChange>();
        foreach (var item in items.OfType<JsonObject>())
        {
            var batchId = item["bId"]?.ToString() ?? "";
            try
            {
                answers.Add(BatchItem(realm, item, batchId, changes));
            }
            catch (SandboxFault fault)
            {
                answers.Add(new JsonObject { ["bId"] = batchId, ["Fault"] = fault.ToJson(realm.Now)["Fault"]!.DeepClone() });
            }
        }

        return new Outcome(200, new JsonObject { ["BatchItemResponse"] = answers, ["time"] = QuickBooksTime.Format(realm.Now) }, Changes: changes);
    }

    private static JsonObject BatchItem(SandboxRealm realm, JsonObject item, string batchId, List<EntityChange> changes)
    {
        if (item["Query"]?.ToString() is { } query)
        {
            var answer = QuickBooksQueryAnswers.Answer(realm, query);
            if (answer.Status != 200)
                return new JsonObject { ["bId"] = batchId, ["Fault"] = answer.Json!["Fault"]!.DeepClone() };
            return new JsonObject { ["bId"] = batchId, ["QueryResponse"] = answer.Json!["QueryResponse"]!.DeepClone() };
        }

        var entityProperty = item.FirstOrDefault(p => QuickBooksEntities.FromPath(p.Key) is not null && p.Value is JsonObject);
        if (entityProperty.Key is null)
            throw SandboxFault.Malformed("BatchItemRequest: an operation needs an entity object or a Query");
        var entity = QuickBooksEntities.FromPath(entityProperty.Key)!;
        var operation = item["operation"]?.ToString()?.ToLowerInvariant();
        if (operation == "update" && item["optionsData"]?.ToString() == "void")
            operation = "void";
        if (operation is not ("create" or "update" or "delete" or "void"))
            throw SandboxFault.Malformed($"operation: '{operation}' (create, update or delete)");

        var body = (JsonObject)entityProperty.Value!.DeepClone();
        if (operation == "create")
            body.Remove("Id");
        var outcome = Write(realm, entity, operation is "create" or "update" ? null : operation, body);
        changes.AddRange(outcome.Changes ?? []);
        return new JsonObject { ["bId"] = batchId, [entity] = outcome.Json![entity]!.DeepClone() };
    }

    /// <summary>Answers carry the entity under its name, and the time: <c>{"Invoice": {…}, "time": "…"}</c>.</summary>
    internal static JsonObject Wrap(SandboxRealm realm, string entity, JsonNode? value)
        => new() { [entity] = value, ["time"] = QuickBooksTime.Format(realm.Now) };

    private static string EntityOf(string pathSegment)
        => QuickBooksEntities.FromPath(pathSegment) ?? throw SandboxFault.Unsupported($"'{pathSegment}' is not an entity the sandbox serves.");

    private static bool TryParseMoment(string? text, out DateTimeOffset moment)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            moment = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out moment);
    }
}
