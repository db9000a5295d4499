using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OrleansSync.Clients.HubSpot;
using OrleansSync.Clients.HubSpot.Model;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Clients.QuickBooks.Model;
using OrleansSync.GrainInterfaces;

namespace OrleansSync.Grains.Deals;

/// <summary>
/// Turns "create an invoice from this deal" into a QuickBooks invoice, as HubSpot's QuickBooks integration does
/// (F2–F7): the quote or the deal gives the lines and the contact; each line finds its QuickBooks item; the customer
/// is matched (email first, then name), picked or created under a unique name; non-US companies need a tax code on
/// every line; the invoice is created as an unsent draft. Every choice is written down for the invoice's history.
/// </summary>
/// <param name="rulesForNewCustomers">
/// Under data-sync, what a contact must meet before <see cref="CustomerMode.MatchOrCreate"/> may go ahead (F14): checked
/// before anything is matched or created.
/// </param>
/// <remarks>
/// QuickBooks writes are made idempotent by <c>requestid</c>s derived from the request's Idempotency-Key, so that a
/// retry — on this silo or, after a failover, another — gets QuickBooks' first answer instead of a second invoice.
/// </remarks>
internal sealed class InvoiceDraft(
    HubSpotClient hubSpot,
    QuickBooksClient quickBooks,
    long portalId,
    string dealId,
    CreateInvoiceCommand command,
    CompanyFacts company,
    DateOnly tenantToday,
    ContactSyncSettings? rulesForNewCustomers = null)
{
    private static readonly string[] PublishedQuoteStatuses = ["APPROVAL_NOT_NEEDED", "APPROVED"];
    private const int UniqueNameAttempts = 9;

    private readonly List<string> _decisions = [];

    private string RealmId => company.RealmId;

    public IReadOnlyList<string> Decisions => _decisions;

    public async Task<Outcome<Invoice>> CreateAsync()
    {
        var invalid = CheckCommand();
        if (invalid is not null)
            return invalid;

        var source = await ReadSourceAsync();
        if (source.Problem is { } sourceProblem)
            return sourceProblem;

        var lines = await BuildLinesAsync(source.Value!);
        if (lines.Problem is { } linesProblem)
            return linesProblem;

        var customer = await ChooseCustomerAsync(source.Value!);
        if (customer.Problem is { } customerProblem)
            return customerProblem;

        var invoice = new Invoice
        {
            CustomerRef = new Reference(customer.Value!.Id!, customer.Value.DisplayName),
            Line = lines.Value,
            SalesTermRef = command.TermId is { } termId ? new Reference(termId) : null,
            TxnDate = command.InvoiceDate,
            DueDate = DueDate,
            CustomerMemo = command.Message is { Length: > 0 } message ? new MemoRef(message) : null,
            // A draft: QuickBooks does not email it until someone sends it (F6, "Waiting to be sent").
            EmailStatus = EmailStatuses.NotSet,
            PrivateNote = $"Created from HubSpot deal {dealId} by OrleansSync.",
        };
        var created = await quickBooks.CreateInvoiceAsync(RealmId, invoice, RequestId("invoice"));
        _decisions.Add($"Created invoice {created.DocNumber ?? created.Id} as a draft, not sent.");
        return created;
    }

    /// <summary>The due date asked for, or that many days after today in the tenant's time zone.</summary>
    private DateOnly? DueDate => command.DueDate ?? (command.DueInDays is { } days ? tenantToday.AddDays(days) : null);

    private Problem? CheckCommand()
    {
        if (command.DueInDays is < 0)
            return Problem.BadRequest("Bad due date", $"The due date cannot be {-command.DueInDays} days before today.");
        if (command.Source == InvoiceSourceKind.Quote && string.IsNullOrWhiteSpace(command.QuoteId))
            return Problem.BadRequest("Quote missing", "source is quote but no quoteId was given.");
        if (command.CustomerMode == CustomerMode.Existing && string.IsNullOrWhiteSpace(command.CustomerId))
            return Problem.BadRequest("Customer missing", "customer.mode is existing but no customer.id was given.");
        if (command.InvoiceDate is { } invoiceDate && DueDate is { } dueDate && dueDate < invoiceDate)
            return Problem.BadRequest("Dates out of order", $"The due date {dueDate:yyyy-MM-dd} is before the invoice date {invoiceDate:yyyy-MM-dd}.");
        var badLines = (command.Lines ?? []).Select((line, i) => (line, number: i + 1))
            .Where(l => string.IsNullOrWhiteSpace(l.line.ItemId) || l.line.Quantity <= 0 || l.line.UnitPrice < 0)
            .Select(l => $"line {l.number}")
            .ToList();
        return badLines.Count > 0
            ? Problem.BadRequest("Bad lines", $"Each line needs an itemId, a quantity above 0 and no negative unitPrice: {string.Join(", ", badLines)}.", badLines)
            : null;
    }

    /// <summary>What the invoice is made from: a quote's or the deal's line items, and its first contact and company.</summary>
    private sealed record Source(string Description, IReadOnlyList<string> LineItemIds, string? ContactId, string? CompanyId);

    private async Task<Outcome<Source>> ReadSourceAsync()
    {
        if (command.Source == InvoiceSourceKind.Quote)
        {
            var quote = await hubSpot.GetObjectAsync(portalId, CrmObjectTypes.Quotes, command.QuoteId!, ["hs_title", "hs_status", "hs_expiration_date"], [CrmObjectTypes.Deals, CrmObjectTypes.LineItems, CrmObjectTypes.Contacts, CrmObjectTypes.Companies]);
            if (!Associated(quote, CrmObjectTypes.Deals).Contains(dealId))
                return Problem.Unprocessable("Not this deal's quote", $"Quote {quote.Id} ({quote.Property("hs_title")}) is not associated with deal {dealId}.");
            var status = quote.Property("hs_status");
            if (!PublishedQuoteStatuses.Contains(status))
                return Problem.Unprocessable("Quote not published", $"Quote {quote.Id} ({quote.Property("hs_title")}) is {status ?? "without a status"}: only a published quote can become an invoice. Publish it, or start from scratch.");
            if (ParseDate(quote.Property("hs_expiration_date")) is { } expires && expires < tenantToday)
                return Problem.Unprocessable("Quote expired", $"Quote {quote.Id} ({quote.Property("hs_title")}) expired on {expires:yyyy-MM-dd}: only an unexpired quote can become an invoice.");
            _decisions.Add($"From quote {quote.Id} ({quote.Property("hs_title")}), published ({status}) and valid until {quote.Property("hs_expiration_date")}.");
            return new Source($"quote {quote.Id}", Associated(quote, CrmObjectTypes.LineItems), Associated(quote, CrmObjectTypes.Contacts).FirstOrDefault(), Associated(quote, CrmObjectTypes.Companies).FirstOrDefault());
        }

        var deal = await hubSpot.GetObjectAsync(portalId, CrmObjectTypes.Deals, dealId, ["dealname"], [CrmObjectTypes.LineItems, CrmObjectTypes.Contacts, CrmObjectTypes.Companies]);
        _decisions.Add($"From scratch: deal {dealId} ({deal.Property("dealname")}) and its line items.");
        return new Source($"deal {dealId}", Associated(deal, CrmObjectTypes.LineItems), Associated(deal, CrmObjectTypes.Contacts).FirstOrDefault(), Associated(deal, CrmObjectTypes.Companies).FirstOrDefault());
    }

    private async Task<Outcome<IReadOnlyList<Line>>> BuildLinesAsync(Source source)
    {
        var inputs = command.Lines is { Count: > 0 } given ? given.Select(l => (Input: l, Label: $"item {l.ItemId}", Item: (Item?)null)).ToList() : null;
        if (inputs is null)
        {
            var matched = await MatchLineItemsAsync(source);
            if (matched.Problem is { } problem)
                return problem;
            inputs = [.. matched.Value!];
        }

        // Outside the US every line needs a tax code (F5); in the US QuickBooks works sales tax out itself.
        if (!company.IsUnitedStates)
        {
            var untaxed = inputs.Select((l, i) => (l, number: i + 1)).Where(l => (l.l.Input.TaxCodeId ?? command.TaxCodeId) is null).Select(l => $"line {l.number} ({l.l.Label})").ToList();
            if (untaxed.Count > 0)
            {
                return Problem.Unprocessable(
                    "Tax code missing",
                    $"QuickBooks company {RealmId} is in {company.Country}, where every line needs a tax code; these have none: {string.Join(", ", untaxed)}. Give taxCodeId on the lines or for the whole invoice.",
                    untaxed);
            }
        }
        else if (inputs.Any(l => l.Input.TaxCodeId is not null) || command.TaxCodeId is not null)
        {
            _decisions.Add("US company: tax codes left out, QuickBooks applies its own sales tax.");
        }

        var lines = new List<Line>();
        var missing = new List<string>();
        foreach (var (input, _, matchedItem) in inputs)
        {
            Item item;
            try
            {
                item = matchedItem ?? await quickBooks.GetItemAsync(RealmId, input.ItemId);
            }
            catch (QuickBooksException notFound) when (notFound.HasCode("610") || notFound.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                missing.Add(input.ItemId);
                continue;
            }

            var unitPrice = input.UnitPrice ?? item.UnitPrice ?? 0;
            lines.Add(new Line
            {
                DetailType = "SalesItemLineDetail",
                Description = input.Description ?? item.Description ?? item.Name,
                Amount = decimal.Round(input.Quantity * unitPrice, 2, MidpointRounding.AwayFromZero),
                SalesItemLineDetail = new SalesItemLineDetail
                {
                    ItemRef = new Reference(input.ItemId, item.Name),
                    Qty = input.Quantity,
                    UnitPrice = unitPrice,
                    TaxCodeRef = company.IsUnitedStates ? null : new Reference((input.TaxCodeId ?? command.TaxCodeId)!),
                },
            });
        }

        return missing.Count > 0
            ? Problem.Unprocessable("Unknown items", $"QuickBooks company {RealmId} has no items {string.Join(", ", missing)}.", missing)
            : lines;
    }

    /// <summary>Each line item finds its QuickBooks item: by SKU first, then by name (F4).</summary>
    private async Task<Outcome<IReadOnlyList<(InvoiceLineInput Input, string Label, Item? Item)>>> MatchLineItemsAsync(Source source)
    {
        if (source.LineItemIds.Count == 0)
            return Problem.Unprocessable("No line items", $"The {source.Description} has no line items: add some in HubSpot, or give the lines.");

        var lineItems = await hubSpot.BatchReadAsync(portalId, CrmObjectTypes.LineItems, source.LineItemIds.Take(100).ToList(), ["name", "quantity", "price", "hs_sku", "description"]);
        var matched = new List<(InvoiceLineInput, string, Item?)>();
        var unmatched = new List<string>();
        foreach (var lineItem in lineItems.OrderBy(l => source.LineItemIds.ToList().IndexOf(l.Id)))
        {
            var name = lineItem.Property("name") ?? lineItem.Id;
            var sku = lineItem.Property("hs_sku");
            Item? item = null;
            var how = "";
            if (sku is { Length: > 0 })
            {
                item = (await quickBooks.QueryAsync<Item>(RealmId, QuickBooksQuery.From<Item>().Where("Sku", "=", sku))).Entities.FirstOrDefault();
                how = $"SKU {sku}";
            }

            if (item is null)
            {
                item = (await quickBooks.QueryAsync<Item>(RealmId, QuickBooksQuery.From<Item>().Where("Name", "=", name))).Entities.FirstOrDefault();
                how = "name";
            }

            if (item is null)
            {
                unmatched.Add(sku is { Length: > 0 } ? $"'{name}' (SKU {sku})" : $"'{name}'");
                continue;
            }

            _decisions.Add($"Line item '{name}' → QuickBooks item {item.Id} ({item.Name}), matched by {how}.");
            matched.Add((new InvoiceLineInput(item.Id!, Decimal(lineItem.Property("quantity"), 1), DecimalOrNull(lineItem.Property("price")), null, lineItem.Property("description")), name, item));
        }

        if (unmatched.Count > 0)
        {
            return Problem.Unprocessable(
                "Products not in QuickBooks",
                $"No QuickBooks product or service matches these line items of the {source.Description}: {string.Join(", ", unmatched)}. Nothing was created: add the items in QuickBooks, or give the lines.",
                unmatched);
        }

        return matched;
    }

    /// <summary>The customer (F3): picked, matched by email then name, or created under a name no one else has.</summary>
    private async Task<Outcome<Customer>> ChooseCustomerAsync(Source source)
    {
        if (command.CustomerMode == CustomerMode.Existing)
        {
            try
            {
                var picked = await quickBooks.GetCustomerAsync(RealmId, command.CustomerId!);
                _decisions.Add($"Customer {picked.Id} ({picked.DisplayName}), as picked.");
                return picked;
            }
            catch (QuickBooksException notFound) when (notFound.HasCode("610") || notFound.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return Problem.Unprocessable("No such customer", $"QuickBooks company {RealmId} has no customer {command.CustomerId}.");
            }
        }

        var person = await ReadPersonAsync(source);
        if (command.CustomerMode == CustomerMode.MatchOrCreate && rulesForNewCustomers is { } rules)
        {
            var ineligible = Ineligible(person, rules);
            if (ineligible is not null)
                return ineligible;
        }

        if (command.CustomerMode is CustomerMode.Match or CustomerMode.MatchOrCreate)
        {
            if (await MatchCustomerAsync(person) is { } matched)
                return matched;
            if (command.CustomerMode == CustomerMode.Match)
            {
                return Problem.Unprocessable(
                    "No matching customer",
                    $"No QuickBooks customer matches {person.Describe()}. Pick an existing customer (customer.mode existing, customer.id) or ask for a new one (customer.mode create).");
            }

            _decisions.Add($"No QuickBooks customer matches {person.Describe()}: creating one.");
        }

        return await CreateCustomerAsync(person);
    }

    /// <summary>The contact's customer: by email first, then by the person's or the company's name.</summary>
    private async Task<Customer?> MatchCustomerAsync(Person person)
    {
        if (person.Email is { Length: > 0 } email && (await quickBooks.FindCustomersByEmailAsync(RealmId, email)).FirstOrDefault() is { } byEmail)
        {
            _decisions.Add($"Customer {byEmail.Id} ({byEmail.DisplayName}) matched by email {email}.");
            return byEmail;
        }

        foreach (var name in person.Names)
        {
            if ((await quickBooks.FindCustomersByDisplayNameAsync(RealmId, name)).FirstOrDefault() is { } byName)
            {
                _decisions.Add($"Customer {byName.Id} ({byName.DisplayName}) matched by name.");
                return byName;
            }
        }

        return null;
    }

    /// <summary>
    /// Under data-sync a customer comes only from a contact that meets the contact-sync settings (F14): the deal's first
    /// contact is checked before anything is matched or created, and the refusal names each rule it does not meet.
    /// </summary>
    private Problem? Ineligible(Person person, ContactSyncSettings rules)
    {
        if (person.ContactId is null)
        {
            return Problem.Unprocessable(
                "No contact",
                $"Deal {dealId} has no associated contact. Under data-sync a QuickBooks customer comes only from a contact that meets the contact-sync settings: associate one. Nothing was created.");
        }

        var unmet = rules.Unmet(person.Email, person.LifecycleStage);
        if (unmet.Count == 0)
        {
            _decisions.Add($"Contact {person.ContactId} meets the contact-sync settings (data-sync).");
            return null;
        }

        return Problem.Unprocessable(
            "Contact does not meet the contact-sync settings",
            $"The deal's {person.Describe()} cannot become a QuickBooks customer under data-sync: {string.Join("; ", unmet)}. Fix the contact in HubSpot or change the contact-sync settings. Nothing was created.",
            unmet);
    }

    private async Task<Outcome<Customer>> CreateCustomerAsync(Person person)
    {
        var name = command.CustomerDisplayName ?? person.Names.FirstOrDefault();
        if (string.IsNullOrWhiteSpace(name))
            return Problem.Unprocessable("No name for the customer", $"The {person.Describe()} gives no name for a new customer: give customer.displayName.");

        // Display names are unique across customers, vendors and employees; a taken one gets a number, never a silent failure.
        for (var attempt = 1; attempt <= UniqueNameAttempts; attempt++)
        {
            var displayName = attempt == 1 ? name : $"{name} ({attempt})";
            try
            {
                var created = await quickBooks.CreateCustomerAsync(RealmId, new Customer
                {
                    DisplayName = displayName,
                    GivenName = person.GivenName,
                    FamilyName = person.FamilyName,
                    CompanyName = person.CompanyName,
                    PrimaryEmailAddr = person.Email is { Length: > 0 } email ? new EmailAddress(email) : null,
                }, RequestId($"customer-{attempt}"));
                _decisions.Add(attempt == 1
                    ? $"Created customer {created.Id} ({created.DisplayName})."
                    : $"The name '{name}' is taken in QuickBooks (by a customer, vendor or employee); created customer {created.Id} as '{created.DisplayName}'.");
                return created;
            }
            catch (QuickBooksDuplicateNameException)
            {
            }
        }

        return Problem.Conflict("Customer name taken", $"The display names '{name}' to '{name} ({UniqueNameAttempts})' are all taken in QuickBooks company {RealmId}: give another customer.displayName, or pick the existing customer.");
    }

    /// <summary>Who the invoice is for, as HubSpot knows them.</summary>
    private sealed record Person(string? ContactId, string? GivenName, string? FamilyName, string? Email, string? CompanyName, string? LifecycleStage = null)
    {
        /// <summary>Names to match, most specific first: the person's, then the company's.</summary>
        public IReadOnlyList<string> Names => new[] { $"{GivenName} {FamilyName}".Trim(), CompanyName ?? "" }.Where(n => n.Length > 0).Distinct().ToList();

        public string Describe() => ContactId is null && CompanyName is null
            ? "the record (it has no contact or company)"
            : $"contact {ContactId} ({string.Join(", ", new[] { $"{GivenName} {FamilyName}".Trim(), Email ?? "", CompanyName ?? "" }.Where(s => s.Length > 0))})";
    }

    private async Task<Person> ReadPersonAsync(Source source)
    {
        string? given = null, family = null, email = null, companyName = null, lifecycleStage = null;
        if (source.ContactId is { } contactId)
        {
            var contact = await hubSpot.GetObjectAsync(portalId, CrmObjectTypes.Contacts, contactId, ["firstname", "lastname", "email", "company", "lifecyclestage"]);
            (given, family, email, companyName) = (contact.Property("firstname"), contact.Property("lastname"), contact.Property("email"), contact.Property("company"));
            lifecycleStage = contact.Property("lifecyclestage");
        }

        if (source.CompanyId is { } companyId)
            companyName = (await hubSpot.GetObjectAsync(portalId, CrmObjectTypes.Companies, companyId, ["name"])).Property("name") ?? companyName;
        return new Person(source.ContactId, given, family, email, companyName, lifecycleStage);
    }

    /// <summary>A <c>requestid</c> that is the same for every retry of one idempotent request, and new otherwise.</summary>
    private string RequestId(string step)
    {
        if (command.IdempotencyKey is null)
            return Guid.NewGuid().ToString();
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{portalId}/{dealId}/{command.IdempotencyKey}/{step}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    private static IReadOnlyList<string> Associated(CrmObject record, string objectType)
    {
        // HubSpot keys associations by the v3 type name, "line items" with a space.
        var key = objectType == CrmObjectTypes.LineItems ? "line items" : objectType;
        var page = record.Associations?.GetValueOrDefault(key) ?? record.Associations?.GetValueOrDefault(objectType);
        return page?.Results.Select(r => r.Id).Distinct().ToList() ?? [];
    }

    /// <summary>HubSpot dates come as "2026-12-10", as an ISO date-time, or as epoch milliseconds.</summary>
    private static DateOnly? ParseDate(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return DateOnly.FromDateTime(time.UtcDateTime);
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime)
            : null;
    }

    private static decimal Decimal(string? value, decimal fallback) => DecimalOrNull(value) ?? fallback;

    private static decimal? DecimalOrNull(string? value)
        => decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number) ? number : null;
}
