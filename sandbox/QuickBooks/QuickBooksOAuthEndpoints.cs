using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>
/// Intuit's OAuth 2.0 (QUICKBOOKS-API.md §4): the consent page (which consents at once, for the company named by the
/// sandbox-only <c>realmId</c> parameter or the demo US company), the token endpoint (client credentials by Basic
/// header or form) and revocation.
/// </summary>
internal static class QuickBooksOAuthEndpoints
{
    public static RouteGroupBuilder MapQuickBooksOAuth(this RouteGroupBuilder group)
    {
        group.MapGet("/connect/oauth2", Authorize);
        group.MapPost("/oauth2/v1/tokens/bearer", TokenAsync);
        group.MapPost("/v2/oauth2/tokens/revoke", RevokeAsync);
        return group;
    }

    private static IResult Authorize(QuickBooksSandbox sandbox, HttpRequest request)
    {
        string? Query(string name) => request.Query[name].FirstOrDefault();
        if (Query("client_id") != sandbox.Options.ClientId)
            return Results.Problem(statusCode: 400, title: "Unknown app", detail: "client_id is not this app's (Sandbox:QuickBooks:ClientId).");
        if (Query("response_type") != "code")
            return Results.Problem(statusCode: 400, title: "Unsupported response type", detail: "response_type must be 'code'.");
        if (Query("scope")?.Split(' ').Contains("com.intuit.quickbooks.accounting") != true)
            return Results.Problem(statusCode: 400, title: "Scope missing", detail: "scope must include com.intuit.quickbooks.accounting.");
        if (!Uri.TryCreate(Query("redirect_uri"), UriKind.Absolute, out var redirect))
            return Results.Problem(statusCode: 400, title: "Redirect URI missing", detail: "redirect_uri must be an absolute URL.");
        var realmId = Query("realmId") ?? DemoData.UsRealmId;
        if (sandbox.FindRealm(realmId) is null)
            return Results.Problem(statusCode: 400, title: "Unknown company", detail: $"The sandbox has no company {realmId}.");

        var code = sandbox.Tokens.IssueCode(realmId, redirect.ToString());
        return Results.Redirect(QueryHelpers.AddQueryString(redirect.ToString(), new Dictionary<string, string?>
        {
            ["code"] = code,
            ["state"] = Query("state"),
            ["realmId"] = realmId,
        }));
    }

    private static async Task<IResult> TokenAsync(QuickBooksSandbox sandbox, HttpRequest request)
    {
        if (!request.HasFormContentType)
            return OAuthError(400, "invalid_request", "The body must be application/x-www-form-urlencoded.");
        var form = await request.ReadFormAsync();
        if (!Authenticated(sandbox, request, form))
            return OAuthError(401, "invalid_client", null);

        var tokens = form["grant_type"].ToString() switch
        {
            "authorization_code" => sandbox.Tokens.ExchangeCode(form["code"].ToString(), form["redirect_uri"].ToString()),
            "refresh_token" => sandbox.Tokens.Refresh(form["refresh_token"].ToString()),
            _ => null,
        };
        if (form["grant_type"].ToString() is not ("authorization_code" or "refresh_token"))
            return OAuthError(400, "unsupported_grant_type", null);
        if (tokens is null)
            return OAuthError(400, "invalid_grant", form["grant_type"] == "refresh_token" ? "Incorrect or invalid refresh token" : "Invalid or expired authorization code");

        return Results.Json(new JsonObject
        {
            ["token_type"] = "bearer",
            ["expires_in"] = tokens.ExpiresIn,
            ["refresh_token"] = tokens.RefreshToken,
            ["x_refresh_token_expires_in"] = tokens.RefreshTokenExpiresIn,
            ["access_token"] = tokens.AccessToken,
        });
    }

    /// <summary>Revokes a token and with it the company's connection; like RFC 7009, an unknown token is no error.</summary>
    private static async Task<IResult> RevokeAsync(QuickBooksSandbox sandbox, HttpRequest request)
    {
        if (!Authenticated(sandbox, request, null))
            return OAuthError(401, "invalid_client", null);
        var body = await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(request.Body);
        if (body?["token"]?.ToString() is not { Length: > 0 } token)
            return OAuthError(400, "invalid_request", "The body must be {\"token\": \"<refresh or access token>\"}.");
        sandbox.Tokens.Revoke(token);
        return Results.Json(new JsonObject { ["statuscode"] = "200" });
    }

    private static bool Authenticated(QuickBooksSandbox sandbox, HttpRequest request, IFormCollection? form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim())).Split(':', 2);
                return credentials.Length == 2 && credentials[0] == sandbox.Options.ClientId && credentials[1] == sandbox.Options.ClientSecret;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return form is not null && form["client_id"] == sandbox.Options.ClientId && form["client_secret"] == sandbox.Options.ClientSecret;
    }

    private static IResult OAuthError(int status, string error, string? description)
    {
        var body = new JsonObject { ["error"] = error };
        if (description is not null)
            body["error_description"] = description;
        return Results.Json(body, statusCode: status);
    }
}
