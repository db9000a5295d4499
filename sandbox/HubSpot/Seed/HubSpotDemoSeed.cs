using System.Globalization;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// The demo portal at start (when <c>Sandbox:SeedDemoData</c>): the contacts, companies and products of
/// <see cref="DemoData"/>, four deals with their line items (one in pounds, one with a product QuickBooks lacks), and
/// three quotes — published, published but expired, and a draft — each with its own copies of the line items, as line
/// items belong to a single parent. The extra tenants' portals (<c>Sandbox:ExtraTenants</c>) get the same. Seeding
/// sends no webhooks.
/// </summary>
public sealed class HubSpotDemoSeed(SandboxOptions options, HubSpotPortals portals, HubSpotCrm crm, SandboxClock clock) : IHostedService
{
    private static readonly (string Name, string Domain, string Country)[] Companies =
    [
        ("Analytical Engines Ltd", "analytical.example", "United Kingdom"),
        ("COBOL Inc", "cobol.example", "United States"),
        ("Bletchley Park", "bletchley.example", "United Kingdom"),
        ("Apollo Guidance", "apollo.example", "United States"),
        ("World Wide Web", "web.example", "Switzerland"),
    ];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.SeedDemoData)
            Seed(portals.GetOrCreate(DemoData.PortalId), clock.GetUtcNow());
        for (var number = 1; number <= options.ExtraTenants; number++)
            Seed(portals.GetOrCreate(DemoData.ExtraTenant(number).PortalId), clock.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Seed(HubSpotPortal portal, DateTimeOffset now)
    {
        lock (portal.Sync)
        {
            if (portal.Objects.Count(CrmObjectTypes.Contacts) > 0)
                return;

            for (var i = 0; i < DemoData.People.Count; i++)
            {
                var person = DemoData.People[i];
                var (name, domain, country) = Companies[i];
                var companyId = 52001 + i;
                Create(portal, CrmObjectTypes.Companies, companyId, new() { ["name"] = name, ["domain"] = domain, ["country"] = country });
                Create(portal, CrmObjectTypes.Contacts, long.Parse(person.HubSpotContactId, CultureInfo.InvariantCulture),
                    new() { ["firstname"] = person.GivenName, ["lastname"] = person.FamilyName, ["email"] = person.Email, ["company"] = person.Company },
                    (Association(CrmObjectTypes.Contacts, CrmObjectTypes.Companies, 1), companyId));
            }

            foreach (var product in DemoData.Products)
            {
                Create(portal, CrmObjectTypes.Products, long.Parse(product.HubSpotProductId, CultureInfo.InvariantCulture),
                    new() { ["name"] = product.Name, ["price"] = Money(product.UsdPrice), ["hs_sku"] = product.Sku });
            }

            var closeDate = HubSpotTime.Format(now.AddDays(14));
            Deal(portal, 53001, "Analytical Engines rollout", "USD", closeDate, contactId: 51001, companyId: 52001, [LineItem(55001, "54002", 1, "USD"), LineItem(55002, "54001", 20, "USD")]);
            Deal(portal, 53002, "COBOL Inc support", "USD", closeDate, contactId: 51002, companyId: null, [LineItem(55003, "54004", 1, "USD")]);
            Deal(portal, 53003, "Bletchley widgets", "GBP", closeDate, contactId: 51003, companyId: null, [LineItem(55004, "54003", 20, "GBP", price: 20m)]);
            Deal(portal, 53004, "Apollo guidance", "USD", closeDate, contactId: 51004, companyId: null, [LineItem(55005, "54005", 1, "USD")]);

            var today = portal.Account.LocalDate(now);
            Quote(portal, 56001, "Analytical Engines rollout quote", "APPROVAL_NOT_NEEDED", today.AddDays(30), dealId: 53001, contactId: 51001,
                [LineItem(55011, "54002", 1, "USD"), LineItem(55012, "54001", 20, "USD")]);
            Quote(portal, 56002, "COBOL support quote", "APPROVAL_NOT_NEEDED", today.AddDays(-10), dealId: 53002, contactId: 51002, [LineItem(55013, "54004", 1, "USD")]);
            Quote(portal, 56003, "Rollout draft quote", "DRAFT", today.AddDays(30), dealId: 53001, contactId: 51001, [LineItem(55014, "54002", 1, "USD")]);
        }
    }

    private sealed record SeedLineItem(long Id, string ProductId, int Quantity, string Currency, decimal? Price);

    private static SeedLineItem LineItem(long id, string productId, int quantity, string currency, decimal? price = null) => new(id, productId, quantity, currency, price);

    private void Deal(HubSpotPortal portal, long id, string name, string currency, string closeDate, long contactId, long? companyId, IReadOnlyList<SeedLineItem> lineItems)
    {
        var created = lineItems.Select(l => CreateLineItem(portal, l)).ToList();
        var amount = created.Sum(l => decimal.Parse(l.Get("amount")!, CultureInfo.InvariantCulture));
        var associations = new List<(AssociationType, long)> { (Association(CrmObjectTypes.Deals, CrmObjectTypes.Contacts, 3), contactId) };
        if (companyId is { } company)
            associations.Add((Association(CrmObjectTypes.Deals, CrmObjectTypes.Companies, 5), company));
        associations.AddRange(created.Select(l => (Association(CrmObjectTypes.Deals, CrmObjectTypes.LineItems, 19), l.Id)));
        Create(portal, CrmObjectTypes.Deals, id, new()
        {
            ["dealname"] = name,
            ["amount"] = Money(amount),
            ["dealstage"] = "contractsent",
            ["pipeline"] = "default",
            ["deal_currency_code"] = currency,
            ["closedate"] = closeDate,
        }, [.. associations]);
    }

    private void Quote(HubSpotPortal portal, long id, string title, string status, DateOnly expires, long dealId, long contactId, IReadOnlyList<SeedLineItem> lineItems)
    {
        var created = lineItems.Select(l => CreateLineItem(portal, l)).ToList();
        var associations = new List<(AssociationType, long)>
        {
            (Association(CrmObjectTypes.Quotes, CrmObjectTypes.Deals, 64), dealId),
            (Association(CrmObjectTypes.Quotes, CrmObjectTypes.Contacts, 69), contactId),
        };
        associations.AddRange(created.Select(l => (Association(CrmObjectTypes.Quotes, CrmObjectTypes.LineItems, 67), l.Id)));

        // Created as a draft, then published: publishing is what fills in the link and the amount.
        var quote = Create(portal, CrmObjectTypes.Quotes, id, new()
        {
            ["hs_title"] = title,
            ["hs_status"] = "DRAFT",
            ["hs_expiration_date"] = HubSpotTime.FormatDate(expires),
            ["hs_currency"] = "USD",
        }, [.. associations]);
        if (status != "DRAFT")
            crm.Update(portal, quote, new Dictionary<string, string> { ["hs_status"] = status }, HubSpotCrm.Actor.Seed);
    }

    private CrmObject CreateLineItem(HubSpotPortal portal, SeedLineItem lineItem)
    {
        var product = DemoData.Products.Single(p => p.HubSpotProductId == lineItem.ProductId);
        return Create(portal, CrmObjectTypes.LineItems, lineItem.Id, new()
        {
            ["name"] = product.Name,
            ["hs_product_id"] = product.HubSpotProductId,
            ["hs_sku"] = product.Sku,
            ["quantity"] = lineItem.Quantity.ToString(CultureInfo.InvariantCulture),
            ["price"] = Money(lineItem.Price ?? product.UsdPrice),
            ["hs_line_item_currency_code"] = lineItem.Currency,
        });
    }

    private CrmObject Create(HubSpotPortal portal, CrmObjectType type, long id, Dictionary<string, string> properties, params (AssociationType Type, long ToId)[] associations)
    {
        var input = new HubSpotCrm.CreateInput(properties, [.. associations.Select(a => new AssociationToCreate(a.Type, a.ToId))]);
        var (record, error) = crm.Create(portal, type, input, HubSpotCrm.Actor.Seed, id);
        return record ?? throw new InvalidOperationException($"The HubSpot demo data does not fit the sandbox's own rules: {error!.Message}");
    }

    private static AssociationType Association(CrmObjectType from, CrmObjectType to, int typeId)
        => AssociationTypes.Find(from, to, typeId) ?? throw new InvalidOperationException($"No association type {typeId} from {from} to {to}.");

    private static string Money(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);
}
