using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace OrleansSync.Clients.HubSpot;

/// <summary>An account's tokens. The access token lasts 30 minutes; HubSpot keeps the same refresh token across refreshes.</summary>
public sealed record HubSpotTokens(string AccessToken, string RefreshToken, DateTimeOffset AccessTokenExpiresAt, long? PortalId);

/// <summary>The token endpoint refused (BAD_AUTH_CODE, BAD_REFRESH_TOKEN, BAD_CLIENT_ID, …).</summary>
public sealed class HubSpotOAuthException(string status, string? message, System.Net.HttpStatusCode httpStatus)
    : Exception($"HubSpot OAuth failed: {status}{(message is null ? "" : $" ({message})")}")
{
    public string Status { get; } = status;

    public System.Net.HttpStatusCode HttpStatus { get; } = httpStatus;
}

/// <summary>HubSpot's OAuth 2.0 (HUBSPOT-API.md §12): the install URL, code exchange and refresh.</summary>
public sealed class HubSpotOAuthClient(HttpClient http, IOptions<HubSpotOptions> options, TimeProvider time)
{
    private HubSpotOptions Options => options.Value;

    public Uri BuildAuthorizationUrl(Uri redirectUri, string state, IEnumerable<string> scopes, IEnumerable<string>? optionalScopes = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["client_id"] = Options.ClientId ?? throw new InvalidOperationException("HubSpot:ClientId is not configured."),
            ["redirect_uri"] = redirectUri.ToString(),
            ["scope"] = string.Join(' ', scopes),
            ["state"] = state,
        };
        if (optionalScopes is not null)
            query["optional_scope"] = string.Join(' ', optionalScopes);
        return new Uri(QueryHelpers.AddQueryString(Options.AuthorizationEndpoint.ToString(), query));
    }

    public Task<HubSpotTokens> ExchangeCodeAsync(string code, Uri redirectUri, CancellationToken cancellationToken = default)
        => RequestAsync(new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri.ToString() }, cancellationToken);

    public Task<HubSpotTokens> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default)
        => RequestAsync(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, cancellationToken);

    private async Task<HubSpotTokens> RequestAsync(Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        form["client_id"] = Options.ClientId ?? throw new InvalidOperationException("HubSpot:ClientId is not configured.");
        form["client_secret"] = Options.ClientSecret ?? throw new InvalidOperationException("HubSpot:ClientSecret is not configured.");
        var issuedAt = time.GetUtcNow();
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(Options.TokenEndpoint, new FormUrlEncodedContent(form), cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new HubSpotUnavailableException($"HubSpot's token endpoint could not be reached ({exception.Message}).", innerException: exception);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var error = await ReadErrorAsync(response, cancellationToken);
                throw new HubSpotOAuthException(error?.Status ?? $"HTTP_{(int)response.StatusCode}", error?.Message, response.StatusCode);
            }

            var tokens = await response.Content.ReadFromJsonAsync(HubSpotOAuthJsonContext.Default.HubSpotTokenResponse, cancellationToken)
                ?? throw new HubSpotOAuthException("EMPTY_RESPONSE", "The token endpoint answered nothing.", response.StatusCode);
            return new HubSpotTokens(
                tokens.AccessToken ?? throw new HubSpotOAuthException("INVALID_RESPONSE", "No access_token in the answer.", response.StatusCode),
                tokens.RefreshToken ?? form.GetValueOrDefault("refresh_token") ?? throw new HubSpotOAuthException("INVALID_RESPONSE", "No refresh_token in the answer.", response.StatusCode),
                issuedAt.AddSeconds(tokens.ExpiresIn ?? 1800),
                tokens.HubId);
        }
    }

    private static async Task<HubSpotOAuthError?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(HubSpotOAuthJsonContext.Default.HubSpotOAuthError, cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed record HubSpotTokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("expires_in")] long? ExpiresIn,
    [property: JsonPropertyName("hub_id")] long? HubId);

internal sealed record HubSpotOAuthError(
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("message")] string? Message);

[JsonSerializable(typeof(HubSpotTokenResponse))]
[JsonSerializable(typeof(HubSpotOAuthError))]
internal sealed partial class HubSpotOAuthJsonContext : JsonSerializerContext;
