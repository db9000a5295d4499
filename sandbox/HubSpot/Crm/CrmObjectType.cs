namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// A CRM object type and the several names HubSpot gives it: <c>line_items</c> in paths, <c>0-8</c> as type id,
/// <c>line_item</c> in webhook subscription types, <c>LINE_ITEM</c> in association names, and <c>"line items"</c>
/// (with a space) as the key of a v3 read's <c>associations</c>.
/// </summary>
public sealed record CrmObjectType(
    string Name,
    string TypeId,
    string Singular,
    string AssociationKey,
    long FirstNewId,
    bool SendsWebhooks,
    IReadOnlyList<string> DefaultProperties,
    IReadOnlyList<string> QueryProperties,
    IReadOnlyList<string> RequiredOnCreate)
{
    /// <summary><c>DEAL</c>, <c>LINE_ITEM</c>: association names (<c>DEAL_TO_LINE_ITEM</c>) and error messages.</summary>
    public string UpperName => Singular.ToUpperInvariant();

    public override string ToString() => Name;
}

/// <summary>
/// The object types the sandbox stores. Ids are short numbers that tell the types apart (contacts 51…, deals 53…);
/// the demo data uses the first hundred of each, new records start at …100.
/// </summary>
public static class CrmObjectTypes
{
    public static readonly CrmObjectType Contacts = new(
        "contacts", "0-1", "contact", "contacts", 51100, SendsWebhooks: true,
        DefaultProperties: ["firstname", "lastname", "email"],
        QueryProperties: ["firstname", "lastname", "email", "phone", "company"],
        RequiredOnCreate: []);

    public static readonly CrmObjectType Companies = new(
        "companies", "0-2", "company", "companies", 52100, SendsWebhooks: true,
        DefaultProperties: ["name", "domain"],
        QueryProperties: ["name", "domain", "country"],
        RequiredOnCreate: []);

    public static readonly CrmObjectType Deals = new(
        "deals", "0-3", "deal", "deals", 53100, SendsWebhooks: true,
        DefaultProperties: ["dealname", "amount", "closedate", "pipeline", "dealstage"],
        QueryProperties: ["dealname", "description"],
        RequiredOnCreate: ["dealstage"]);

    public static readonly CrmObjectType Products = new(
        "products", "0-7", "product", "products", 54100, SendsWebhooks: true,
        DefaultProperties: ["name", "description", "price"],
        QueryProperties: ["name", "description", "hs_sku"],
        RequiredOnCreate: []);

    public static readonly CrmObjectType LineItems = new(
        "line_items", "0-8", "line_item", "line items", 55100, SendsWebhooks: true,
        DefaultProperties: ["name", "quantity", "price", "amount"],
        QueryProperties: ["name"],
        RequiredOnCreate: []);

    public static readonly CrmObjectType Quotes = new(
        "quotes", "0-14", "quote", "quotes", 56100, SendsWebhooks: false,
        DefaultProperties: ["hs_title", "hs_expiration_date", "hs_status"],
        QueryProperties: ["hs_title"],
        RequiredOnCreate: ["hs_title", "hs_expiration_date"]);

    public static readonly CrmObjectType Notes = new(
        "notes", "0-46", "note", "notes", 57100, SendsWebhooks: false,
        DefaultProperties: ["hs_note_body", "hs_timestamp"],
        QueryProperties: ["hs_note_body"],
        RequiredOnCreate: ["hs_timestamp"]);

    public static readonly CrmObjectType Invoices = new(
        "invoices", "0-52", "invoice", "invoices", 58100, SendsWebhooks: false,
        DefaultProperties: ["hs_currency", "hs_invoice_status", "hs_number"],
        QueryProperties: ["hs_number"],
        RequiredOnCreate: ["hs_currency"]);

    public static readonly IReadOnlyList<CrmObjectType> All = [Contacts, Companies, Deals, Products, LineItems, Quotes, Notes, Invoices];

    /// <summary>By path name (<c>deals</c>) or type id (<c>0-3</c>), as HubSpot accepts either.</summary>
    public static CrmObjectType? Find(string nameOrId)
        => All.FirstOrDefault(t => string.Equals(t.Name, nameOrId, StringComparison.OrdinalIgnoreCase) || t.TypeId == nameOrId);
}
