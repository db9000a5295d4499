using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>
/// What QuickBooks does when an invoice is written (QUICKBOOKS-API.md §5): lines checked against items, tax codes
/// required outside the US, amounts and tax computed, a subtotal line added, the number assigned unless custom
/// transaction numbers are on, the due date taken from the terms, and the balance kept in step with payments.
/// Callers hold the realm's lock.
/// </summary>
internal static class InvoiceRules
{
    // Amounts and states QuickBooks computes: a writer cannot set them.
    private static readonly string[] ReadOnly = ["TotalAmt", "HomeTotalAmt", "Balance", "HomeBalance", "DeliveryInfo", "LinkedTxn", "TxnTaxDetail", "MetaData", "domain", "status"];

    // What a full (non-sparse) update resets when it is left out.
    private static readonly string[] Writable = ["DocNumber", "TxnDate", "DueDate", "CustomerRef", "Line", "SalesTermRef", "CurrencyRef", "ExchangeRate", "BillEmail", "CustomerMemo", "PrivateNote", "EmailStatus", "PrintStatus"];

    public static (JsonObject Invoice, EntityChange Change) Create(SandboxRealm realm, JsonObject request)
    {
        var invoice = WithoutReadOnly(request);
        invoice.Remove("Id");
        invoice.Remove("SyncToken");
        Complete(realm, invoice, previous: null);
        var stored = realm.Insert(QuickBooksEntities.Invoice, invoice);
        return (stored, Change(realm, stored, "Create"));
    }

    /// <summary>A sparse update changes only what is sent; a full one resets what is left out.</summary>
    public static (JsonObject Invoice, EntityChange Change) Update(SandboxRealm realm, JsonObject request)
    {
        var id = RequiredString(request, "Id");
        var current = realm.Get(QuickBooksEntities.Invoice, id);
        if (IsVoided(current))
            throw SandboxFault.BusinessValidation("A voided transaction cannot be changed.");

        var sparse = request["sparse"]?.GetValueKind() == JsonValueKind.True;
        var updated = (JsonObject)current.DeepClone();
        if (!sparse)
        {
            foreach (var field in Writable)
                updated.Remove(field);
        }

        foreach (var (name, value) in WithoutReadOnly(request))
        {
            if (name is not ("Id" or "SyncToken" or "sparse"))
                updated[name] = value?.DeepClone();
        }

        Complete(realm, updated, previous: current);
        var stored = realm.Replace(QuickBooksEntities.Invoice, updated, request["SyncToken"]?.ToString());
        return (stored, Change(realm, stored, "Update"));
    }

    /// <summary>Void: amounts and quantities zeroed, "Voided" before the private note, the record kept.</summary>
    public static (JsonObject Invoice, EntityChange Change) Void(SandboxRealm realm, string id, string? syncToken)
    {
        var voided = realm.Get(QuickBooksEntities.Invoice, id);
        foreach (var line in voided["Line"]!.AsArray().OfType<JsonObject>())
        {
            line["Amount"] = 0m;
            if (line["SalesItemLineDetail"] is JsonObject detail)
                detail["Qty"] = 0m;
        }

        var note = voided["PrivateNote"]?.GetValue<string>();
        voided["PrivateNote"] = string.IsNullOrEmpty(note) ? "Voided" : $"Voided - {note}";
        voided["TotalAmt"] = 0m;
        voided["Balance"] = 0m;
        voided["HomeTotalAmt"] = 0m;
        voided["HomeBalance"] = 0m;
        if (voided["TxnTaxDetail"] is JsonObject tax)
            tax["TotalTax"] = 0m;
        var stored = realm.Replace(QuickBooksEntities.Invoice, voided, syncToken);
        return (stored, Change(realm, stored, "Void"));
    }

    public static (JsonObject Deleted, EntityChange Change) Delete(SandboxRealm realm, string id, string? syncToken)
    {
        realm.Delete(QuickBooksEntities.Invoice, id, syncToken);
        var deleted = new JsonObject { ["status"] = "Deleted", ["domain"] = "QBO", ["Id"] = id };
        return (deleted, new EntityChange(realm.RealmId, QuickBooksEntities.Invoice, id, "Delete", realm.Now));
    }

    /// <summary>Send: EmailStatus becomes EmailSent and DeliveryInfo records it; <paramref name="sendTo"/> replaces the BillEmail.</summary>
    public static (JsonObject Invoice, EntityChange Change) Send(SandboxRealm realm, string id, string? sendTo)
    {
        var invoice = realm.Get(QuickBooksEntities.Invoice, id);
        if (sendTo is not null)
        {
            if (!sendTo.Contains('@', StringComparison.Ordinal))
                throw SandboxFault.BusinessValidation($"'{sendTo}' is not an email address.", "sendTo");
            invoice["BillEmail"] = new JsonObject { ["Address"] = sendTo };
        }

        if (invoice["BillEmail"]?["Address"] is null)
            throw SandboxFault.BusinessValidation("Email Address is required to send an invoice: give sendTo or set BillEmail.", "BillEmail");
        invoice["EmailStatus"] = "EmailSent";
        invoice["DeliveryInfo"] = new JsonObject { ["DeliveryType"] = "Email", ["DeliveryTime"] = QuickBooksTime.Format(realm.Now) };
        var stored = realm.Replace(QuickBooksEntities.Invoice, invoice, invoice["SyncToken"]!.GetValue<string>());
        // The webhook operation list names "Emailed"; which entities emit it is not documented (QUICKBOOKS-API.md §8).
        return (stored, Change(realm, stored, "Emailed"));
    }

    /// <summary>A payment applied to the invoice lowers its balance and links the payment; the payment was checked against the balance.</summary>
    public static (JsonObject Invoice, EntityChange Change) ApplyPayment(SandboxRealm realm, string invoiceId, string paymentId, decimal amount)
    {
        var invoice = realm.Get(QuickBooksEntities.Invoice, invoiceId);
        var newBalance = Decimal(invoice, "Balance") - amount;
        invoice["Balance"] = newBalance;
        invoice["HomeBalance"] = Round(newBalance * Decimal(invoice, "ExchangeRate", 1m));
        var linked = invoice["LinkedTxn"] as JsonArray ?? [];
        linked.Add(new JsonObject { ["TxnId"] = paymentId, ["TxnType"] = "Payment" });
        invoice["LinkedTxn"] = linked.DeepClone();
        var stored = realm.Replace(QuickBooksEntities.Invoice, invoice, invoice["SyncToken"]!.GetValue<string>());
        return (stored, Change(realm, stored, "Update"));
    }

    public static bool IsVoided(JsonObject invoice)
        => Decimal(invoice, "TotalAmt") == 0 && invoice["PrivateNote"]?.GetValue<string>()?.StartsWith("Voided", StringComparison.Ordinal) == true;

    /// <summary>Checks the invoice and fills in everything QuickBooks computes.</summary>
    private static void Complete(SandboxRealm realm, JsonObject invoice, JsonObject? previous)
    {
        var customerId = invoice["CustomerRef"]?["value"]?.ToString()
            ?? throw SandboxFault.RequiredMissing("CustomerRef", "Required parameter CustomerRef is missing in the request.");
        var customer = realm.Find(QuickBooksEntities.Customer, customerId) ?? throw SandboxFault.InvalidReference("CustomerRef", customerId);
        if (customer["Active"]?.GetValueKind() == JsonValueKind.False)
            throw SandboxFault.ObjectNotFound(QuickBooksEntities.Customer, customerId);
        invoice["CustomerRef"] = new JsonObject { ["value"] = customerId, ["name"] = customer["DisplayName"]?.DeepClone() };

        var currency = Currency(realm, invoice, customer);
        var exchangeRate = realm.ExchangeRate(currency);
        invoice["CurrencyRef"] = new JsonObject { ["value"] = currency };
        invoice["ExchangeRate"] = exchangeRate;

        var (lines, subtotal, tax) = Lines(realm, invoice);
        lines.Add(new JsonObject { ["Amount"] = subtotal, ["DetailType"] = "SubTotalLineDetail", ["SubTotalLineDetail"] = new JsonObject() });
        invoice["Line"] = lines;
        invoice["TxnTaxDetail"] = new JsonObject { ["TotalTax"] = tax };

        var total = subtotal + tax;
        var paid = previous is null ? 0m : Decimal(previous, "TotalAmt") - Decimal(previous, "Balance");
        var balance = Math.Max(0m, total - paid);
        invoice["TotalAmt"] = total;
        invoice["Balance"] = balance;
        invoice["HomeTotalAmt"] = Round(total * exchangeRate);
        invoice["HomeBalance"] = Round(balance * exchangeRate);
        invoice["LinkedTxn"] = previous?["LinkedTxn"]?.DeepClone() ?? new JsonArray();

        var txnDate = Date(invoice, "TxnDate") ?? realm.Today;
        invoice["TxnDate"] = QuickBooksTime.Format(txnDate);
        if (Date(invoice, "DueDate") is null)
            invoice["DueDate"] = QuickBooksTime.Format(txnDate.AddDays(DueDays(realm, invoice)));

        if (invoice["DocNumber"] is null && !realm.CustomTxnNumbers)
            invoice["DocNumber"] = previous?["DocNumber"]?.DeepClone() ?? realm.NextDocNumber();
        if (invoice["DocNumber"]?.GetValue<string>() is { Length: > 21 } number)
            throw SandboxFault.BusinessValidation($"DocNumber '{number}' is longer than 21 characters.", "DocNumber");

        invoice["BillEmail"] ??= customer["PrimaryEmailAddr"]?.DeepClone();
        invoice["EmailStatus"] ??= "NotSet";
        if (invoice["EmailStatus"]?.GetValue<string>() is not ("NotSet" or "NeedToSend" or "EmailSent"))
            throw SandboxFault.BusinessValidation("EmailStatus must be NotSet, NeedToSend or EmailSent.", "EmailStatus");
        if (invoice["EmailStatus"]!.GetValue<string>() == "NeedToSend" && invoice["BillEmail"]?["Address"] is null)
            throw SandboxFault.BusinessValidation("BillEmail is required when EmailStatus is NeedToSend.", "BillEmail");
        invoice["PrintStatus"] ??= "NotSet";
    }

    private static (JsonArray Lines, decimal Subtotal, decimal Tax) Lines(SandboxRealm realm, JsonObject invoice)
    {
        var requested = invoice["Line"] as JsonArray;
        var sales = requested?.OfType<JsonObject>().Where(l => l["DetailType"]?.GetValue<string>() != "SubTotalLineDetail").ToList() ?? [];
        if (sales.Count == 0)
            throw SandboxFault.RequiredMissing("Line", "Required parameter Line is missing in the request: an invoice needs at least one line.");

        var lines = new JsonArray();
        decimal subtotal = 0, tax = 0;
        var lineNumber = 0;
        foreach (var requestedLine in sales)
        {
            lineNumber++;
            var line = (JsonObject)requestedLine.DeepClone();
            line["Id"] = lineNumber.ToString(CultureInfo.InvariantCulture);
            line["LineNum"] = lineNumber;
            var detailType = line["DetailType"]?.GetValue<string>();
            if (detailType == "DescriptionOnly")
            {
                line["Amount"] ??= 0m;
                lines.Add(line);
                continue;
            }

            if (detailType != "SalesItemLineDetail" || line["SalesItemLineDetail"] is not JsonObject detail)
                throw SandboxFault.Unsupported($"Line {lineNumber}: the sandbox supports SalesItemLineDetail and DescriptionOnly lines, not '{detailType}'.");

            var itemId = detail["ItemRef"]?["value"]?.ToString()
                ?? throw SandboxFault.RequiredMissing("Line.SalesItemLineDetail.ItemRef", $"Line {lineNumber}: ItemRef is required.");
            var item = realm.Find(QuickBooksEntities.Item, itemId);
            if (item is null || item["Active"]?.GetValueKind() == JsonValueKind.False)
                throw SandboxFault.InvalidReference("Line.SalesItemLineDetail.ItemRef", itemId);
            detail["ItemRef"] = new JsonObject { ["value"] = itemId, ["name"] = item["Name"]?.DeepClone() };

            var quantity = Decimal(detail, "Qty", 1m);
            var unitPrice = detail["UnitPrice"] is not null ? Decimal(detail, "UnitPrice") : line["Amount"] is not null ? Round(Decimal(line, "Amount") / (quantity == 0 ? 1 : quantity)) : Decimal(item, "UnitPrice");
            var amount = Round(quantity * unitPrice);
            if (line["Amount"] is not null && Decimal(line, "Amount") != amount)
                throw SandboxFault.BusinessValidation($"Line {lineNumber}: Amount {Decimal(line, "Amount")} is not equal to UnitPrice * Qty ({amount}).", "Line.Amount");
            detail["Qty"] = quantity;
            detail["UnitPrice"] = unitPrice;
            line["Amount"] = amount;
            subtotal += amount;

            var taxCodeId = detail["TaxCodeRef"]?["value"]?.ToString();
            if (realm.IsUnitedStates)
            {
                // In the US, QuickBooks works sales tax out itself; a line says only whether it is taxable.
                if (taxCodeId is not (null or "TAX" or "NON"))
                    throw SandboxFault.InvalidReference("Line.SalesItemLineDetail.TaxCodeRef", taxCodeId);
            }
            else
            {
                if (taxCodeId is null)
                    throw SandboxFault.BusinessValidation($"Make sure all your transactions have a VAT rate before you save. Line {lineNumber} has no tax code.", "Line.SalesItemLineDetail.TaxCodeRef");
                var rate = realm.TaxRate(taxCodeId) ?? throw SandboxFault.InvalidReference("Line.SalesItemLineDetail.TaxCodeRef", taxCodeId);
                tax += Round(amount * rate);
            }

            lines.Add(line);
        }

        return (lines, subtotal, tax);
    }

    private static string Currency(SandboxRealm realm, JsonObject invoice, JsonObject customer)
    {
        var home = realm.Setup.HomeCurrency;
        var customerCurrency = customer["CurrencyRef"]?["value"]?.ToString() ?? home;
        var requested = invoice["CurrencyRef"]?["value"]?.ToString();
        if (!realm.MultiCurrency)
        {
            if (requested is not null && requested != home)
                throw SandboxFault.BusinessValidation($"Multicurrency is off: an invoice is in {home}, not {requested}.", "CurrencyRef");
            return home;
        }

        if (requested is not null && requested != customerCurrency)
            throw SandboxFault.BusinessValidation($"The customer uses {customerCurrency}; the invoice cannot be in {requested}.", "CurrencyRef");
        return customerCurrency;
    }

    private static int DueDays(SandboxRealm realm, JsonObject invoice)
    {
        var termId = invoice["SalesTermRef"]?["value"]?.ToString();
        if (termId is null)
            return 0;
        var term = realm.Find(QuickBooksEntities.Term, termId) ?? throw SandboxFault.InvalidReference("SalesTermRef", termId);
        invoice["SalesTermRef"] = new JsonObject { ["value"] = termId, ["name"] = term["Name"]?.DeepClone() };
        return (int)Decimal(term, "DueDays");
    }

    private static EntityChange Change(SandboxRealm realm, JsonObject invoice, string operation)
        => new(realm.RealmId, QuickBooksEntities.Invoice, invoice["Id"]!.GetValue<string>(), operation, realm.Now);

    private static JsonObject WithoutReadOnly(JsonObject request)
    {
        var copy = (JsonObject)request.DeepClone();
        foreach (var field in ReadOnly)
            copy.Remove(field);
        return copy;
    }

    internal static string RequiredString(JsonObject body, string name)
        => body[name]?.ToString() is { Length: > 0 } value ? value : throw SandboxFault.RequiredMissing(name, $"Required parameter {name} is missing in the request.");

    internal static decimal Decimal(JsonNode? node, string name, decimal fallback = 0m)
    {
        var value = node?[name];
        if (value is null)
            return fallback;
        return value.GetValueKind() switch
        {
            // Read from its JSON text: a number the sandbox itself put there may be held as an int or a double.
            JsonValueKind.Number => decimal.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
            JsonValueKind.String when decimal.TryParse(value.GetValue<string>(), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw SandboxFault.Malformed($"{name} must be a number"),
        };
    }

    private static DateOnly? Date(JsonObject body, string name)
    {
        if (body[name] is null)
            return null;
        return DateOnly.TryParseExact(body[name]!.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw SandboxFault.Malformed($"{name} must be a date (yyyy-MM-dd)");
    }

    internal static decimal Round(decimal amount) => decimal.Round(amount, 2, MidpointRounding.AwayFromZero);
}
