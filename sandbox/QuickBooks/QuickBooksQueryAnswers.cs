using System.Text.Json.Nodes;
using OrleansSync.Sandbox.QuickBooks.Query;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>Answers a query (<c>GET …/query?query=</c>, a POSTed query, or a batch item) against a company's entities.</summary>
internal static class QuickBooksQueryAnswers
{
    private static readonly string[] Singletons = ["CompanyInfo", "Preferences"];

    // Properties a query may name even when no stored object has them yet.
    private static readonly Dictionary<string, string[]> Documented = new(StringComparer.Ordinal)
    {
        [QuickBooksEntities.Invoice] = ["DocNumber", "TxnDate", "DueDate", "CustomerRef", "Balance", "TotalAmt", "EmailStatus", "CurrencyRef", "PrivateNote"],
        [QuickBooksEntities.Customer] = ["DisplayName", "GivenName", "FamilyName", "CompanyName", "PrimaryEmailAddr", "Active", "Balance", "CurrencyRef"],
        [QuickBooksEntities.Item] = ["Name", "Sku", "Type", "Active", "UnitPrice"],
        [QuickBooksEntities.Payment] = ["TxnDate", "CustomerRef", "TotalAmt", "PaymentRefNum"],
        [QuickBooksEntities.Term] = ["Name", "DueDays", "Active", "Type"],
        [QuickBooksEntities.TaxCode] = ["Name", "Active", "Taxable"],
    };

    public static Outcome Answer(SandboxRealm realm, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw SandboxFault.RequiredMissing("query", "Required parameter query is missing: send the query text.");
        try
        {
            var query = QueryParser.Parse(text);
            var entity = query.ResolveEntity([.. QuickBooksEntities.Stored, .. Singletons]);
            var entities = entity switch
            {
                "CompanyInfo" => [(JsonObject)realm.CompanyInfo.DeepClone()],
                "Preferences" => [(JsonObject)realm.Preferences.DeepClone()],
                _ => realm.All(entity),
            };
            var properties = QueryableProperties.PresentOn(entities, Documented.GetValueOrDefault(entity));
            var result = QueryEvaluator.Evaluate(query, entity, entities, realm.Today, properties);
            return Outcome.Ok(QueryResponseBuilder.Build(result, realm.Now));
        }
        catch (QuickBooksQueryException refused)
        {
            throw refused.ToFault();
        }
    }
}
