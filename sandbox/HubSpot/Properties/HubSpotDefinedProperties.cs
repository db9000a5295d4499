namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// The HubSpot-defined properties every portal starts with: the ones the product reads and writes, with HubSpot's
/// names, types and groups. A real portal has hundreds more; writing one the sandbox lacks fails as an unknown
/// property would, which is what a mismatch should do.
/// </summary>
public static class HubSpotDefinedProperties
{
    /// <summary>The stages of the default deal pipeline, as <c>GET /crm/v3/pipelines/deals</c> lists them.</summary>
    public static readonly IReadOnlyList<string> DefaultPipelineStages =
        ["appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"];

    public static readonly IReadOnlyList<string> QuoteStatuses = ["DRAFT", "APPROVAL_NOT_NEEDED", "PENDING_APPROVAL", "APPROVED", "REJECTED"];

    /// <summary>A contact's default lifecycle stages, by internal value.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> LifecycleStages =
    [
        ("subscriber", "Subscriber"), ("lead", "Lead"), ("marketingqualifiedlead", "Marketing Qualified Lead"),
        ("salesqualifiedlead", "Sales Qualified Lead"), ("opportunity", "Opportunity"), ("customer", "Customer"),
        ("evangelist", "Evangelist"), ("other", "Other"),
    ];

    public static IReadOnlyList<PropertyGroup> Groups(CrmObjectType type)
    {
        var main = type.Name switch
        {
            "contacts" => new PropertyGroup("contactinformation", "Contact information", 0),
            "companies" => new PropertyGroup("companyinformation", "Company information", 0),
            "deals" => new PropertyGroup("dealinformation", "Deal information", 0),
            "products" => new PropertyGroup("productinformation", "Product information", 0),
            "line_items" => new PropertyGroup("lineiteminformation", "Line item information", 0),
            "quotes" => new PropertyGroup("quoteinformation", "Quote information", 0),
            "notes" => new PropertyGroup("engagement", "Engagement", 0),
            _ => new PropertyGroup("invoiceinformation", "Invoice information", 0),
        };
        return [main];
    }

    public static IReadOnlyList<PropertyDefinition> For(CrmObjectType type, IReadOnlyList<string> currencies, DateTimeOffset at)
    {
        var group = Groups(type)[0].Name;
        var builder = new Builder(group, at);
        var currencyOptions = currencies.Select((c, i) => new PropertyOption(CurrencyLabel(c), c, DisplayOrder: i)).ToList();

        builder.System();
        switch (type.Name)
        {
            case "contacts":
                builder.Text("firstname", "First Name").Text("lastname", "Last Name").Text("email", "Email")
                    .Add("phone", "Phone Number", PropertyTypes.String, "phonenumber").Text("company", "Company Name")
                    .Enumeration("lifecyclestage", "Lifecycle Stage", "radio", LifecycleStages.Select((s, i) => new PropertyOption(s.Label, s.Value, DisplayOrder: i)).ToList());
                break;
            case "companies":
                builder.Text("name", "Company name").Text("domain", "Company Domain Name").Text("country", "Country/Region");
                break;
            case "deals":
                builder.Text("dealname", "Deal Name").Number("amount", "Amount", currency: true)
                    .Enumeration("dealstage", "Deal Stage", "radio", DefaultPipelineStages.Select((s, i) => new PropertyOption(s, s, DisplayOrder: i)).ToList())
                    .Enumeration("pipeline", "Pipeline", "select", [new PropertyOption("Sales Pipeline", "default")])
                    .Add("closedate", "Close Date", PropertyTypes.DateTime, "date")
                    .Enumeration("deal_currency_code", "Currency", "select", currencyOptions)
                    .Owner()
                    .Add("description", "Deal Description", PropertyTypes.String, "textarea");
                break;
            case "products":
                builder.Text("name", "Name").Add("description", "Description", PropertyTypes.String, "textarea")
                    .Number("price", "Unit price", currency: true).Text("hs_sku", "SKU")
                    .Number("hs_cost_of_goods_sold", "Unit cost", currency: true).Text("hs_recurring_billing_period", "Term");
                break;
            case "line_items":
                builder.Text("name", "Name").Add("description", "Description", PropertyTypes.String, "textarea")
                    .Number("quantity", "Quantity").Number("price", "Unit price", currency: true)
                    .Number("amount", "Net price", currency: true, calculated: true)
                    .Number("hs_product_id", "Product ID").Text("hs_sku", "SKU")
                    .Enumeration("hs_line_item_currency_code", "Currency", "select", currencyOptions)
                    .Text("hs_tax_rate_group_id", "Tax rate group ID");
                break;
            case "quotes":
                builder.Text("hs_title", "Quote name")
                    .Enumeration("hs_status", "Quote approval status", "select", QuoteStatuses.Select((s, i) => new PropertyOption(s, s, DisplayOrder: i)).ToList())
                    .Add("hs_expiration_date", "Quote expiration date", PropertyTypes.Date, "date")
                    .Number("hs_quote_amount", "Quote amount", currency: true, calculated: true)
                    .Text("hs_currency", "Currency")
                    .Text("hs_quote_link", "Quote link", readOnly: true)
                    .Text("hs_pdf_download_link", "PDF download link", readOnly: true);
                break;
            case "notes":
                builder.Add("hs_note_body", "Note body", PropertyTypes.String, "html")
                    .Add("hs_timestamp", "Activity date", PropertyTypes.DateTime, "date")
                    .Owner();
                break;
            case "invoices":
                builder.Enumeration("hs_currency", "Currency", "select", currencyOptions)
                    .Enumeration("hs_invoice_status", "Invoice status", "select", new[] { "draft", "open", "paid", "voided" }.Select((s, i) => new PropertyOption(s, s, DisplayOrder: i)).ToList())
                    .Text("hs_number", "Invoice number");
                break;
        }

        return builder.Definitions;
    }

    private static string CurrencyLabel(string code) => code switch
    {
        "USD" => "US Dollar",
        "GBP" => "British Pound",
        "EUR" => "Euro",
        "CAD" => "Canadian Dollar",
        "AUD" => "Australian Dollar",
        _ => code,
    };

    private sealed class Builder(string group, DateTimeOffset at)
    {
        public List<PropertyDefinition> Definitions { get; } = [];

        public Builder System()
        {
            Add(CrmObject.ObjectIdProperty, "Record ID", PropertyTypes.Number, "number", readOnly: true);
            Add(CrmObject.CreateDateProperty, "Create Date", PropertyTypes.DateTime, "date", readOnly: true);
            return Add(CrmObject.LastModifiedProperty, "Last Modified Date", PropertyTypes.DateTime, "date", readOnly: true);
        }

        public Builder Text(string name, string label, bool readOnly = false) => Add(name, label, PropertyTypes.String, "text", readOnly: readOnly);

        public Builder Number(string name, string label, bool currency = false, bool calculated = false)
            => Add(name, label, PropertyTypes.Number, calculated ? "calculation_equation" : "number", readOnly: calculated, calculated: calculated, showCurrencySymbol: currency ? true : null);

        public Builder Enumeration(string name, string label, string fieldType, IReadOnlyList<PropertyOption> options)
            => Add(name, label, PropertyTypes.Enumeration, fieldType, options: options);

        /// <summary>The owner: an enumeration whose options are the portal's users, so HubSpot does not list them.</summary>
        public Builder Owner()
        {
            Add("hubspot_owner_id", "Owner", PropertyTypes.Enumeration, "select");
            Definitions[^1] = Definitions[^1] with { ExternalOptions = true, ReferencedObjectType = "OWNER" };
            return this;
        }

        public Builder Add(string name, string label, string type, string fieldType, IReadOnlyList<PropertyOption>? options = null, bool readOnly = false, bool calculated = false, bool? showCurrencySymbol = null)
        {
            Definitions.Add(new PropertyDefinition(
                name, label, type, fieldType, group, Description: "", Options: options ?? [], DisplayOrder: -1,
                Calculated: calculated, ExternalOptions: false, HasUniqueValue: false, Hidden: false, HubspotDefined: true,
                new PropertyModificationMetadata(Archivable: false, ReadOnlyDefinition: true, ReadOnlyValue: readOnly),
                FormField: !readOnly, CreatedAt: at, UpdatedAt: at, ShowCurrencySymbol: showCurrencySymbol));
            return this;
        }
    }
}
