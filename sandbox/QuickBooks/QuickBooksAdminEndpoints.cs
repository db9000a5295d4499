using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>
/// Acting as people do in QuickBooks (under <c>/sandbox/quickbooks/admin</c>): create, send, pay, void and delete
/// invoices, edit customers, switch preferences, disconnect the app. Every change goes through the same rules as the
/// API and is announced by webhook. Errors are problem details.
/// </summary>
internal static class QuickBooksAdminEndpoints
{
    public sealed record RealmView(string RealmId, string CompanyName, string Country, string HomeCurrency, bool MultiCurrency, bool CustomTxnNumbers, string WebhookFormat, int Invoices, int Customers);

    public sealed record PreferencesChange(bool? CustomTxnNumbers, bool? MultiCurrencyEnabled);

    public sealed record WebhookFormatChange(string Format);

    public sealed record PaymentRequest(decimal Amount, DateOnly? Date, string? Reference);

    public sealed record SendRequest(string? SendTo);

    public sealed record TokenView(string RealmId, string AccessToken, string RefreshToken, int ExpiresIn, int RefreshTokenExpiresIn);

    public static RouteGroupBuilder MapQuickBooksAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/realms", (QuickBooksSandbox sandbox) => sandbox.Realms.Select(realm =>
        {
            lock (realm.Sync)
                return View(realm);
        }).ToList());
        admin.MapPost("/realms/{realmId}/tokens", (QuickBooksSandbox sandbox, string realmId) => InRealm(sandbox, realmId, realm =>
        {
            var tokens = sandbox.Tokens.Issue(realm.RealmId);
            return (new TokenView(realm.RealmId, tokens.AccessToken, tokens.RefreshToken, tokens.ExpiresIn, tokens.RefreshTokenExpiresIn), []);
        }));
        admin.MapPost("/realms/{realmId}/disconnect", (QuickBooksSandbox sandbox, string realmId) => InRealm(sandbox, realmId, realm =>
        {
            sandbox.Tokens.RevokeRealm(realm.RealmId);
            return (View(realm), []);
        }));
        admin.MapPut("/realms/{realmId}/preferences", (QuickBooksSandbox sandbox, string realmId, PreferencesChange change) => InRealm(sandbox, realmId, realm =>
        {
            if (change.CustomTxnNumbers is { } custom)
                realm.CustomTxnNumbers = custom;
            if (change.MultiCurrencyEnabled is { } multi)
                realm.MultiCurrency = multi;
            return (View(realm), []);
        }));
        admin.MapPut("/realms/{realmId}/webhook-format", (QuickBooksSandbox sandbox, string realmId, WebhookFormatChange change) => InRealm(sandbox, realmId, realm =>
        {
            realm.WebhookFormat = change.Format is "legacy" or "cloudevents" ? change.Format : throw SandboxFault.BusinessValidation("format must be 'legacy' or 'cloudevents'.", "format");
            return (View(realm), []);
        }));
        admin.MapPost("/realms/{realmId}/invoices", (QuickBooksSandbox sandbox, string realmId, JsonObject invoice) => InRealm(sandbox, realmId, realm =>
        {
            var (created, change) = InvoiceRules.Create(realm, invoice);
            return (created, [change]);
        }));
        admin.MapPatch("/realms/{realmId}/invoices/{id}", (QuickBooksSandbox sandbox, string realmId, string id, JsonObject changes) => InRealm(sandbox, realmId, realm =>
        {
            var current = realm.Get(QuickBooksEntities.Invoice, id);
            changes["Id"] = id;
            changes["SyncToken"] = current["SyncToken"]!.DeepClone();
            changes["sparse"] = true;
            var (updated, change) = InvoiceRules.Update(realm, changes);
            return (updated, [change]);
        }));
        admin.MapPost("/realms/{realmId}/invoices/{id}/send", (QuickBooksSandbox sandbox, string realmId, string id, SendRequest? request) => InRealm(sandbox, realmId, realm =>
        {
            var (sent, change) = InvoiceRules.Send(realm, id, request?.SendTo);
            return (sent, [change]);
        }));
        admin.MapPost("/realms/{realmId}/invoices/{id}/payments", (QuickBooksSandbox sandbox, string realmId, string id, PaymentRequest payment) => InRealm(sandbox, realmId, realm =>
        {
            var (recorded, changes) = PaymentRules.Record(realm, id, payment.Amount, payment.Date, payment.Reference);
            return (recorded, changes);
        }));
        admin.MapPost("/realms/{realmId}/invoices/{id}/void", (QuickBooksSandbox sandbox, string realmId, string id) => InRealm(sandbox, realmId, realm =>
        {
            var (voided, change) = InvoiceRules.Void(realm, id, realm.Get(QuickBooksEntities.Invoice, id)["SyncToken"]!.GetValue<string>());
            return (voided, [change]);
        }));
        admin.MapDelete("/realms/{realmId}/invoices/{id}", (QuickBooksSandbox sandbox, string realmId, string id) => InRealm(sandbox, realmId, realm =>
        {
            var (deleted, change) = InvoiceRules.Delete(realm, id, realm.Get(QuickBooksEntities.Invoice, id)["SyncToken"]!.GetValue<string>());
            return (deleted, [change]);
        }));
        admin.MapPatch("/realms/{realmId}/customers/{id}", (QuickBooksSandbox sandbox, string realmId, string id, JsonObject changes) => InRealm(sandbox, realmId, realm =>
        {
            var current = realm.Get(QuickBooksEntities.Customer, id);
            changes["Id"] = id;
            changes["SyncToken"] = current["SyncToken"]!.DeepClone();
            changes["sparse"] = true;
            var (updated, change) = CustomerRules.Update(realm, changes);
            return (updated, [change]);
        }));
        admin.MapGet("/faults", (QuickBooksSandbox sandbox) => sandbox.Faults.Current);
        admin.MapPut("/faults", Results<Ok<FaultSettings>, ProblemHttpResult> (QuickBooksSandbox sandbox, FaultSettings faults) =>
        {
            if (faults.Validate() is { } problem)
                return TypedResults.Problem(statusCode: 400, title: "Bad fault settings", detail: problem);
            sandbox.Faults.Set(faults);
            return TypedResults.Ok(sandbox.Faults.Current);
        });
        return admin;
    }

    /// <summary>Runs a change under the company's lock, announces it, and answers problem details for what QuickBooks would refuse.</summary>
    private static IResult InRealm(QuickBooksSandbox sandbox, string realmId, Func<SandboxRealm, (object Answer, IReadOnlyList<EntityChange> Changes)> change)
    {
        if (sandbox.FindRealm(realmId) is not { } realm)
            return Results.Problem(statusCode: 404, title: "Unknown company", detail: $"The sandbox has no company {realmId}.");
        (object Answer, IReadOnlyList<EntityChange> Changes) result;
        try
        {
            lock (realm.Sync)
                result = change(realm);
        }
        catch (SandboxFault refusal)
        {
            return Results.Problem(statusCode: refusal.Status is >= 400 and < 500 ? refusal.Status : 400, title: refusal.Message, detail: refusal.Detail, extensions: new Dictionary<string, object?> { ["code"] = refusal.Code });
        }

        sandbox.Webhooks.Publish(result.Changes);
        return Results.Ok(result.Answer);
    }

    /// <summary>A company at a glance; the caller holds its lock.</summary>
    private static RealmView View(SandboxRealm realm)
        => new(realm.RealmId, realm.Setup.CompanyName, realm.Setup.Country, realm.Setup.HomeCurrency, realm.MultiCurrency,
            realm.CustomTxnNumbers, realm.WebhookFormat, realm.All(QuickBooksEntities.Invoice).Count, realm.All(QuickBooksEntities.Customer).Count);
}
