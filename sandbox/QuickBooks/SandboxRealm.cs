using System.Globalization;
using System.Text.Json.Nodes;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>A change QuickBooks would announce by webhook.</summary>
internal sealed record EntityChange(string RealmId, string Entity, string Id, string Operation, DateTimeOffset At, string? DeletedId = null);

/// <summary>How a company is set up (country, currencies, numbering, tax codes and their rates).</summary>
internal sealed record RealmSetup(
    string RealmId,
    string CompanyName,
    string Country,
    string HomeCurrency,
    bool MultiCurrency,
    string TimeZoneId,
    IReadOnlyDictionary<string, decimal> TaxRates,
    IReadOnlyDictionary<string, decimal> ExchangeRates);

/// <summary>
/// One QuickBooks company: its entities as QuickBooks returns them (JSON objects), their ids and SyncTokens, the
/// objects deleted (for change data capture), and the rules QuickBooks applies when they are written. Callers hold
/// <see cref="Sync"/> for every read and write; objects handed out are copies.
/// </summary>
internal sealed class SandboxRealm
{
    private readonly Dictionary<string, EntityTable> _tables = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (int Status, string Body)> _answeredRequests = new(StringComparer.Ordinal);
    private readonly HashSet<string> _otherNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _clock;
    private readonly TimeZoneInfo _zone;
    private int _nextDocNumber = 1001;

    public SandboxRealm(RealmSetup setup, TimeProvider clock)
    {
        Setup = setup;
        _clock = clock;
        _zone = FindZone(setup.TimeZoneId);
        foreach (var entity in QuickBooksEntities.Stored)
            _tables[entity] = new EntityTable();

        CompanyInfo = new JsonObject
        {
            ["CompanyName"] = setup.CompanyName,
            ["LegalName"] = setup.CompanyName,
            ["Country"] = setup.Country,
            ["CompanyAddr"] = new JsonObject { ["Country"] = setup.Country },
            ["FiscalYearStartMonth"] = "January",
            ["SupportedLanguages"] = "en",
            ["Id"] = "1",
            ["SyncToken"] = "0",
            ["domain"] = "QBO",
            ["sparse"] = false,
            ["MetaData"] = NewMetaData(),
        };
        Preferences = new JsonObject
        {
            ["SalesFormsPrefs"] = new JsonObject { ["CustomTxnNumbers"] = false, ["AllowDeposit"] = true },
            ["CurrencyPrefs"] = new JsonObject { ["MultiCurrencyEnabled"] = setup.MultiCurrency, ["HomeCurrency"] = new JsonObject { ["value"] = setup.HomeCurrency } },
            ["Id"] = "1",
            ["SyncToken"] = "0",
            ["domain"] = "QBO",
            ["sparse"] = false,
            ["MetaData"] = NewMetaData(),
        };
    }

    public RealmSetup Setup { get; }

    public string RealmId => Setup.RealmId;

    public Lock Sync { get; } = new();

    public JsonObject CompanyInfo { get; }

    public JsonObject Preferences { get; }

    /// <summary>"legacy" or "cloudevents": how this company's webhooks are written.</summary>
    public string WebhookFormat { get; set; } = "legacy";

    public bool IsUnitedStates => Setup.Country == "US";

    public bool CustomTxnNumbers
    {
        get => Preferences["SalesFormsPrefs"]!["CustomTxnNumbers"]!.GetValue<bool>();
        set => Preferences["SalesFormsPrefs"]!["CustomTxnNumbers"] = value;
    }

    public bool MultiCurrency
    {
        get => Preferences["CurrencyPrefs"]!["MultiCurrencyEnabled"]!.GetValue<bool>();
        set => Preferences["CurrencyPrefs"]!["MultiCurrencyEnabled"] = value;
    }

    /// <summary>Now, in the company's time zone, as QuickBooks writes its times.</summary>
    public DateTimeOffset Now => TimeZoneInfo.ConvertTime(_clock.GetUtcNow(), _zone);

    public DateOnly Today => DateOnly.FromDateTime(Now.DateTime);

    /// <summary>Names of vendors and employees: customers may not take them.</summary>
    public void ReserveName(string name) => _otherNames.Add(name);

    public JsonObject? Find(string entity, string id)
        => _tables[entity].Items.TryGetValue(id, out var found) ? (JsonObject)found.DeepClone() : null;

    public JsonObject Get(string entity, string id)
        => Find(entity, id) ?? throw (_tables[entity].Deleted.ContainsKey(id) ? SandboxFault.ObjectNotFound(entity, id) : SandboxFault.NotFound($"Object Not Found : {entity} {id} does not exist."));

    public List<JsonObject> All(string entity) => _tables[entity].Items.Values.Select(e => (JsonObject)e.DeepClone()).ToList();

    /// <summary>Objects changed (or deleted) at or after <paramref name="since"/>, for change data capture.</summary>
    public List<JsonObject> ChangedSince(string entity, DateTimeOffset since)
    {
        var table = _tables[entity];
        var changed = table.Items.Values.Where(e => LastUpdated(e) >= since).Select(e => (JsonObject)e.DeepClone()).OrderBy(LastUpdated);
        var deleted = table.Deleted.Where(d => d.Value >= since).OrderBy(d => d.Value).Select(d => new JsonObject
        {
            ["domain"] = "QBO",
            ["status"] = "Deleted",
            ["Id"] = d.Key,
            ["MetaData"] = new JsonObject { ["LastUpdatedTime"] = QuickBooksTime.Format(d.Value) },
        });
        return [.. changed, .. deleted];
    }

    /// <summary>The first answer to a <c>requestid</c>, which QuickBooks repeats for a repeated id.</summary>
    public bool TryGetAnswer(string requestId, out (int Status, string Body) answer) => _answeredRequests.TryGetValue(requestId, out answer);

    public void RememberAnswer(string requestId, int status, string body) => _answeredRequests[requestId] = (status, body);

    /// <summary>Stores a new object: id, SyncToken 0, times.</summary>
    public JsonObject Insert(string entity, JsonObject entityBody)
    {
        var table = _tables[entity];
        var id = (++table.LastId).ToString(CultureInfo.InvariantCulture);
        WithoutNulls(entityBody);
        entityBody["Id"] = id;
        entityBody["SyncToken"] = "0";
        entityBody["domain"] = "QBO";
        entityBody["sparse"] = false;
        entityBody["MetaData"] = NewMetaData();
        table.Items[id] = entityBody;
        return (JsonObject)entityBody.DeepClone();
    }

    /// <summary>Seeds an object with a given id (demo data).</summary>
    public void Seed(string entity, string id, JsonObject entityBody)
    {
        var table = _tables[entity];
        WithoutNulls(entityBody);
        entityBody["Id"] = id;
        entityBody["SyncToken"] = "0";
        entityBody["domain"] = "QBO";
        entityBody["sparse"] = false;
        entityBody["MetaData"] = NewMetaData();
        table.Items[id] = entityBody;
        if (int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            table.LastId = Math.Max(table.LastId, number);
    }

    /// <summary>Replaces a stored object, checking the SyncToken the writer read, and advances it.</summary>
    public JsonObject Replace(string entity, JsonObject updated, string? syncToken)
    {
        var id = updated["Id"]!.GetValue<string>();
        var current = _tables[entity].Items.GetValueOrDefault(id) ?? throw SandboxFault.ObjectNotFound(entity, id);
        CheckSyncToken(entity, current, syncToken);
        WithoutNulls(updated);
        updated["SyncToken"] = (int.Parse(current["SyncToken"]!.GetValue<string>(), CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        updated["domain"] = "QBO";
        updated["sparse"] = false;
        updated["MetaData"] = new JsonObject
        {
            ["CreateTime"] = current["MetaData"]?["CreateTime"]?.DeepClone(),
            ["LastUpdatedTime"] = QuickBooksTime.Format(Now),
        };
        _tables[entity].Items[id] = updated;
        return (JsonObject)updated.DeepClone();
    }

    /// <summary>QuickBooks leaves out what has no value rather than writing null; so does the sandbox, at any depth.</summary>
    private static void WithoutNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject entityObject:
                foreach (var name in entityObject.Where(p => p.Value is null).Select(p => p.Key).ToList())
                    entityObject.Remove(name);
                foreach (var (_, value) in entityObject)
                    WithoutNulls(value);
                break;
            case JsonArray array:
                foreach (var item in array)
                    WithoutNulls(item);
                break;
        }
    }

    public void Delete(string entity, string id, string? syncToken)
    {
        var table = _tables[entity];
        var current = table.Items.GetValueOrDefault(id) ?? throw SandboxFault.ObjectNotFound(entity, id);
        CheckSyncToken(entity, current, syncToken);
        table.Items.Remove(id);
        table.Deleted[id] = Now;
    }

    public string NextDocNumber() => (_nextDocNumber++).ToString(CultureInfo.InvariantCulture);

    /// <summary>Display names are unique across customers, vendors and employees (case ignored).</summary>
    public bool IsNameTaken(string displayName, string? exceptCustomerId)
        => _otherNames.Contains(displayName)
            || _tables[QuickBooksEntities.Customer].Items.Values.Any(c => c["Id"]!.GetValue<string>() != exceptCustomerId
                && string.Equals(c["DisplayName"]?.GetValue<string>(), displayName, StringComparison.OrdinalIgnoreCase));

    public decimal? TaxRate(string taxCodeId) => Setup.TaxRates.TryGetValue(taxCodeId, out var rate) ? rate : null;

    /// <summary>Home-currency units per unit of <paramref name="currency"/>.</summary>
    public decimal ExchangeRate(string currency)
        => currency == Setup.HomeCurrency ? 1m : Setup.ExchangeRates.TryGetValue(currency, out var rate) ? rate : throw SandboxFault.BusinessValidation($"The company does not use currency {currency}.", "CurrencyRef");

    private static void CheckSyncToken(string entity, JsonObject current, string? syncToken)
    {
        if (syncToken is null)
            throw SandboxFault.RequiredMissing("SyncToken", $"Required parameter SyncToken is missing in the request ({entity}).");
        if (syncToken != current["SyncToken"]!.GetValue<string>())
            throw SandboxFault.StaleObject(entity, current["Id"]!.GetValue<string>());
    }

    private JsonObject NewMetaData() => new() { ["CreateTime"] = QuickBooksTime.Format(Now), ["LastUpdatedTime"] = QuickBooksTime.Format(Now) };

    private static DateTimeOffset LastUpdated(JsonObject entity)
        => DateTimeOffset.Parse(entity["MetaData"]!["LastUpdatedTime"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    private static TimeZoneInfo FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    private sealed class EntityTable
    {
        public Dictionary<string, JsonObject> Items { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, DateTimeOffset> Deleted { get; } = new(StringComparer.Ordinal);

        public int LastId { get; set; }
    }
}

/// <summary>The entities the sandbox keeps, by their names in paths (lower case) and in JSON.</summary>
internal static class QuickBooksEntities
{
    public const string Invoice = "Invoice";
    public const string Customer = "Customer";
    public const string Item = "Item";
    public const string Payment = "Payment";
    public const string Term = "Term";
    public const string TaxCode = "TaxCode";

    public static readonly string[] Stored = [Invoice, Customer, Item, Payment, Term, TaxCode];

    /// <summary>"invoice" → "Invoice"; null when the sandbox does not keep that entity.</summary>
    public static string? FromPath(string segment) => Stored.FirstOrDefault(e => string.Equals(e, segment, StringComparison.OrdinalIgnoreCase));
}
