using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>
/// Customers as QuickBooks keeps them: a display name (given, or built from the name parts) unique across customers,
/// vendors and employees, with no colon; no hard delete (Active false). Callers hold the realm's lock.
/// </summary>
internal static class CustomerRules
{
    private const int MaxDisplayName = 500;

    public static (JsonObject Customer, EntityChange Change) Create(SandboxRealm realm, JsonObject request)
    {
        var customer = (JsonObject)request.DeepClone();
        foreach (var computed in new[] { "Id", "SyncToken", "Balance", "MetaData", "domain" })
            customer.Remove(computed);

        var displayName = customer["DisplayName"]?.GetValue<string>() ?? FromNameParts(customer)
            ?? throw SandboxFault.RequiredMissing("DisplayName", "Required parameter DisplayName is missing: give DisplayName or one of Title, GivenName, MiddleName, FamilyName, Suffix.");
        CheckName(realm, displayName, exceptCustomerId: null);
        customer["DisplayName"] = displayName;
        customer["Active"] ??= true;
        customer["Balance"] = 0m;
        customer["CurrencyRef"] ??= new JsonObject { ["value"] = realm.Setup.HomeCurrency };
        var currency = customer["CurrencyRef"]!["value"]!.ToString();
        if (currency != realm.Setup.HomeCurrency && !realm.MultiCurrency)
            throw SandboxFault.BusinessValidation($"Multicurrency is off: a customer uses {realm.Setup.HomeCurrency}, not {currency}.", "CurrencyRef");
        realm.ExchangeRate(currency);

        var stored = realm.Insert(QuickBooksEntities.Customer, customer);
        return (stored, new EntityChange(realm.RealmId, QuickBooksEntities.Customer, stored["Id"]!.GetValue<string>(), "Create", realm.Now));
    }

    /// <summary>Sparse updates change what is sent; the display name cannot be removed, and its currency never changes.</summary>
    public static (JsonObject Customer, EntityChange Change) Update(SandboxRealm realm, JsonObject request)
    {
        var id = InvoiceRules.RequiredString(request, "Id");
        var current = realm.Get(QuickBooksEntities.Customer, id);
        var sparse = request["sparse"]?.GetValueKind() == JsonValueKind.True;
        var updated = sparse ? (JsonObject)current.DeepClone() : new JsonObject { ["Id"] = id, ["CurrencyRef"] = current["CurrencyRef"]?.DeepClone(), ["Balance"] = current["Balance"]?.DeepClone() };
        foreach (var (name, value) in request)
        {
            if (name is "Id" or "SyncToken" or "sparse" or "Balance" or "MetaData" or "domain")
                continue;
            if (name == "CurrencyRef" && value?["value"]?.ToString() != current["CurrencyRef"]?["value"]?.ToString())
                throw SandboxFault.BusinessValidation("A customer's currency cannot change once it is set.", "CurrencyRef");
            updated[name] = value?.DeepClone();
        }

        var displayName = updated["DisplayName"]?.GetValue<string>() ?? FromNameParts(updated)
            ?? throw SandboxFault.BusinessValidation("DisplayName cannot be removed.", "DisplayName");
        if (!string.Equals(displayName, current["DisplayName"]?.GetValue<string>(), StringComparison.Ordinal))
            CheckName(realm, displayName, exceptCustomerId: id);
        updated["DisplayName"] = displayName;
        updated["Active"] ??= true;

        var stored = realm.Replace(QuickBooksEntities.Customer, updated, request["SyncToken"]?.ToString());
        return (stored, new EntityChange(realm.RealmId, QuickBooksEntities.Customer, id, "Update", realm.Now));
    }

    private static void CheckName(SandboxRealm realm, string displayName, string? exceptCustomerId)
    {
        if (displayName.Contains(':', StringComparison.Ordinal))
            throw SandboxFault.BusinessValidation("Names cannot contain a colon (:).", "DisplayName");
        if (displayName.Length > MaxDisplayName)
            throw SandboxFault.BusinessValidation(string.Create(CultureInfo.InvariantCulture, $"DisplayName is longer than {MaxDisplayName} characters."), "DisplayName");
        if (realm.IsNameTaken(displayName, exceptCustomerId))
            throw SandboxFault.DuplicateName(displayName);
    }

    private static string? FromNameParts(JsonObject customer)
    {
        var parts = new[] { "Title", "GivenName", "MiddleName", "FamilyName", "Suffix" }
            .Select(p => customer[p]?.GetValue<string>())
            .Where(p => !string.IsNullOrWhiteSpace(p))
            .ToList();
        return parts.Count == 0 ? null : string.Join(' ', parts);
    }
}

/// <summary>Payments, as people record them in QuickBooks: applied to one invoice, lowering its balance.</summary>
internal static class PaymentRules
{
    public static (JsonObject Payment, IReadOnlyList<EntityChange> Changes) Record(SandboxRealm realm, string invoiceId, decimal amount, DateOnly? date, string? reference)
    {
        var invoice = realm.Get(QuickBooksEntities.Invoice, invoiceId);
        if (InvoiceRules.IsVoided(invoice))
            throw SandboxFault.BusinessValidation($"Invoice {invoiceId} is voided and cannot be paid.");
        var balance = InvoiceRules.Decimal(invoice, "Balance");
        if (amount <= 0 || amount > balance)
            throw SandboxFault.BusinessValidation($"A payment of {amount} cannot be applied to invoice {invoiceId}, whose balance is {balance}.", "Line.Amount");

        var payment = realm.Insert(QuickBooksEntities.Payment, new JsonObject
        {
            ["TxnDate"] = QuickBooksTime.Format(date ?? realm.Today),
            ["CustomerRef"] = invoice["CustomerRef"]?.DeepClone(),
            ["CurrencyRef"] = invoice["CurrencyRef"]?.DeepClone(),
            ["TotalAmt"] = amount,
            ["UnappliedAmt"] = 0m,
            ["PaymentRefNum"] = reference,
            ["Line"] = new JsonArray(new JsonObject
            {
                ["Amount"] = amount,
                ["LinkedTxn"] = new JsonArray(new JsonObject { ["TxnId"] = invoiceId, ["TxnType"] = "Invoice" }),
            }),
        });
        var paymentId = payment["Id"]!.GetValue<string>();
        var (_, invoiceChange) = InvoiceRules.ApplyPayment(realm, invoiceId, paymentId, amount);
        return (payment, [new EntityChange(realm.RealmId, QuickBooksEntities.Payment, paymentId, "Create", realm.Now), invoiceChange]);
    }
}
