using System.Text.Json.Nodes;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>
/// The demo companies (<see cref="DemoData"/>): Lakeside Supplies in the US (dollars, no VAT, QuickBooks' TAX/NON
/// line codes) and in the UK (pounds, multicurrency, VAT codes 20%/5%/0%/exempt), each with terms, items, customers,
/// a vendor and an employee whose names customers cannot take, and a few invoices made in QuickBooks itself. The extra
/// tenants' companies (<c>Sandbox:ExtraTenants</c>) are seeded as the US one.
/// </summary>
internal sealed class QuickBooksSeed(QuickBooksSandbox sandbox, SandboxOptions options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.SeedDemoData)
        {
            Seed(sandbox.AddRealm(UnitedStates(DemoData.UsRealmId, "Lakeside Supplies Inc")), unitedStates: true);
            Seed(sandbox.AddRealm(new RealmSetup(DemoData.UkRealmId, "Lakeside Supplies UK Ltd", "GB", "GBP", MultiCurrency: true, "Europe/London",
                new Dictionary<string, decimal> { ["2"] = 0.20m, ["3"] = 0.05m, ["4"] = 0m, ["5"] = 0m },
                new Dictionary<string, decimal> { ["USD"] = 0.79m, ["EUR"] = 0.86m })), unitedStates: false);
        }

        for (var number = 1; number <= options.ExtraTenants; number++)
            Seed(sandbox.AddRealm(UnitedStates(DemoData.ExtraTenant(number).RealmId, $"Lakeside Supplies {number} Inc")), unitedStates: true);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static RealmSetup UnitedStates(string realmId, string companyName)
        => new(realmId, companyName, "US", "USD", MultiCurrency: false, "America/Los_Angeles",
            new Dictionary<string, decimal> { ["TAX"] = 0m, ["NON"] = 0m }, new Dictionary<string, decimal>());

    private static void Seed(SandboxRealm realm, bool unitedStates)
    {
        lock (realm.Sync)
        {
            foreach (var (id, name, days) in new[] { ("1", "Due on receipt", 0), ("2", "Net 15", 15), ("3", "Net 30", 30), ("4", "Net 60", 60) })
                realm.Seed(QuickBooksEntities.Term, id, new JsonObject { ["Name"] = name, ["Type"] = "STANDARD", ["DueDays"] = days, ["Active"] = true });

            var taxCodes = unitedStates
                ? new[] { ("TAX", "TAX", "Taxable", true), ("NON", "NON", "Non-taxable", false) }
                : [("2", "20.0% S", "Standard rate 20%", true), ("3", "5.0% R", "Reduced rate 5%", true), ("4", "0.0% Z", "Zero rate", true), ("5", "Exempt", "Exempt", false)];
            foreach (var (id, name, description, taxable) in taxCodes)
                realm.Seed(QuickBooksEntities.TaxCode, id, new JsonObject { ["Name"] = name, ["Description"] = description, ["Taxable"] = taxable, ["TaxGroup"] = false, ["Active"] = true, ["Hidden"] = false });

            realm.Seed(QuickBooksEntities.Item, "1", new JsonObject { ["Name"] = "Services", ["Type"] = "Service", ["UnitPrice"] = 0m, ["Active"] = true, ["IncomeAccountRef"] = new JsonObject { ["value"] = "1", ["name"] = "Services" } });
            foreach (var product in DemoData.Products)
            {
                if ((unitedStates ? product.UsItemId : product.UkItemId) is not { } itemId)
                    continue;
                realm.Seed(QuickBooksEntities.Item, itemId, new JsonObject
                {
                    ["Name"] = product.Name,
                    ["Sku"] = product.Sku,
                    ["Type"] = product.Name == "Widget" ? "NonInventory" : "Service",
                    ["UnitPrice"] = unitedStates ? product.UsdPrice : product.GbpPrice,
                    ["Active"] = true,
                    ["Taxable"] = true,
                    ["IncomeAccountRef"] = new JsonObject { ["value"] = "1", ["name"] = "Services" },
                });
            }

            foreach (var person in DemoData.People)
            {
                if ((unitedStates ? person.UsCustomerId : person.UkCustomerId) is not { } customerId)
                    continue;
                var currency = unitedStates ? "USD" : person.GivenName == "Tim" ? "EUR" : "GBP";
                realm.Seed(QuickBooksEntities.Customer, customerId, new JsonObject
                {
                    ["DisplayName"] = $"{person.GivenName} {person.FamilyName}",
                    ["GivenName"] = person.GivenName,
                    ["FamilyName"] = person.FamilyName,
                    ["CompanyName"] = person.Company,
                    ["PrimaryEmailAddr"] = new JsonObject { ["Address"] = person.Email },
                    ["CurrencyRef"] = new JsonObject { ["value"] = currency },
                    ["Active"] = true,
                    ["Balance"] = 0m,
                });
            }

            if (unitedStates)
            {
                // A customer who left: inactive, so skipped by queries unless they ask for Active.
                realm.Seed(QuickBooksEntities.Customer, "3", new JsonObject
                {
                    ["DisplayName"] = "Charles Babbage",
                    ["GivenName"] = "Charles",
                    ["FamilyName"] = "Babbage",
                    ["PrimaryEmailAddr"] = new JsonObject { ["Address"] = "charles@difference.example" },
                    ["CurrencyRef"] = new JsonObject { ["value"] = "USD" },
                    ["Active"] = false,
                    ["Balance"] = 0m,
                });
            }

            realm.ReserveName("Acme Paper Co");
            realm.ReserveName("Jordan Smith");

            // Invoices made in QuickBooks, not through the integration: they can be added to HubSpot records by hand.
            var line = new JsonObject
            {
                ["DetailType"] = "SalesItemLineDetail",
                ["SalesItemLineDetail"] = new JsonObject
                {
                    ["ItemRef"] = new JsonObject { ["value"] = "2" },
                    ["Qty"] = 4,
                    ["TaxCodeRef"] = unitedStates ? null : new JsonObject { ["value"] = "2" },
                },
            };
            InvoiceRules.Create(realm, new JsonObject
            {
                ["CustomerRef"] = new JsonObject { ["value"] = "2" },
                ["SalesTermRef"] = new JsonObject { ["value"] = "3" },
                ["Line"] = new JsonArray(line),
                ["PrivateNote"] = "Made in QuickBooks",
            });
        }
    }
}
