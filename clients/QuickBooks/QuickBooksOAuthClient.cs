using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace OrleansSync.Clients.QuickBooks;

/// <summary>A company's tokens: the access token lasts an hour; the refresh token about 100 days, renewed by each use.</summary>
public sealed record QuickBooksTokens(string AccessToken, string RefreshToken, DateTimeOffset AccessTokenExpiresAt, DateTimeOffset RefreshTokenExpiresAt);

/// <summary>The token endpoint refused (400 <c>invalid_grant</c> and friends): reconnecting is the way out.</summary>
public sealed class QuickBooksOAuthException(string error, string? description, System.Net.HttpStatusCode status)
    : Exception($"QuickBooks OAuth failed: {error}{(description is null ? "" : $" ({description})")}")
{
    public string Error { get; } = error;

    public string? Description { get; } = description;

    public System.Net.HttpStatusCode Status { get; } = status;
}

/// <summary>
/// Intuit's OAuth 2.0: the consent URL, code exchange, refresh and revocation. Client credentials go in a Basic
/// header. Each refresh answers a new refresh token; keep the newest, since an older one may stop working.
/// </summary>
public sealed class QuickBooksOAuthClient(HttpClient http, IOptions<QuickBooksOptions> options, TimeProvider time)
{
    public const string AccountingScope = "com.intuit.quickbooks.accounting";

    private QuickBooksOptions Options => options.Value;

    public Uri BuildAuthorizationUrl(Uri redirectUri, string state, params string[] scopes)
        => new(QueryHelpers.AddQueryString(Options.AuthorizationEndpoint.ToString(), new Dictionary<string, string?>
        {
            ["client_id"] = RequireClientId(),
            ["response_type"] = "code",
            ["scope"] = string.Join(' ', scopes.Length == 0 ? [AccountingScope] : scopes),
            ["redirect_uri"] = redirectUri.ToString(),
            ["state"] = state,
        }));

    public Task<QuickBooksTokens> ExchangeCodeAsync(string code, Uri redirectUri, CancellationToken cancellationToken = default)
        => RequestTokensAsync(new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri.ToString() }, cancellationToken);

    public Task<QuickBooksTokens> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default)
        => RequestTokensAsync(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken }, cancellationToken);

    /// <summary>Revokes a token (revoking the refresh token ends the connection).</summary>
    public async Task RevokeAsync(string token, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Options.RevocationEndpoint)
        {
            Content = JsonContent.Create(new Dictionary<string, string> { ["token"] = token }, QuickBooksOAuthJsonContext.Default.DictionaryStringString),
        };
        Authorize(request);
        using var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw await ErrorAsync(response, cancellationToken);
    }

    private async Task<QuickBooksTokens> RequestTokensAsync(Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Options.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        Authorize(request);
        var issuedAt = time.GetUtcNow();
        using var response = await SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw await ErrorAsync(response, cancellationToken);

        var tokens = await response.Content.ReadFromJsonAsync(QuickBooksOAuthJsonContext.Default.TokenResponse, cancellationToken)
            ?? throw new QuickBooksOAuthException("empty_response", "The token endpoint answered nothing.", response.StatusCode);
        return new QuickBooksTokens(
            tokens.AccessToken ?? throw new QuickBooksOAuthException("invalid_response", "No access_token in the answer.", response.StatusCode),
            tokens.RefreshToken ?? throw new QuickBooksOAuthException("invalid_response", "No refresh_token in the answer.", response.StatusCode),
            issuedAt.AddSeconds(tokens.ExpiresIn ?? 3600),
            issuedAt.AddSeconds(tokens.RefreshTokenExpiresIn ?? 8_726_400));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new QuickBooksUnavailableException($"Intuit's OAuth endpoint could not be reached ({exception.Message}).", innerException: exception);
        }
    }

    private void Authorize(HttpRequestMessage request)
    {
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RequireClientId()}:{Options.ClientSecret ?? throw new InvalidOperationException("QuickBooks:ClientSecret is not configured.")}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
    }

    private string RequireClientId() => Options.ClientId ?? throw new InvalidOperationException("QuickBooks:ClientId is not configured.");

    private static async Task<QuickBooksOAuthException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var error = await response.Content.ReadFromJsonAsync(QuickBooksOAuthJsonContext.Default.TokenError, cancellationToken);
            return new QuickBooksOAuthException(error?.Error ?? $"http_{(int)response.StatusCode}", error?.ErrorDescription, response.StatusCode);
        }
        catch (JsonException)
        {
            return new QuickBooksOAuthException($"http_{(int)response.StatusCode}", null, response.StatusCode);
        }
    }
}

internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] long? ExpiresIn,
    [property: JsonPropertyName("x_refresh_token_expires_in")] long? RefreshTokenExpiresIn);

internal sealed record TokenError(
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription);

[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(TokenError))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class QuickBooksOAuthJsonContext : JsonSerializerContext;
