using System.Text.Json.Serialization;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>The token endpoint's answer (snake_case, as OAuth has it).</summary>
public sealed record OAuthTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string RefreshToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("hub_id")] long HubId);

/// <summary><c>GET /oauth/v1/access-tokens/{token}</c>.</summary>
public sealed record AccessTokenInfo(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("hub_domain")] string HubDomain,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes,
    [property: JsonPropertyName("hub_id")] long HubId,
    [property: JsonPropertyName("app_id")] long AppId,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("user_id")] long UserId,
    [property: JsonPropertyName("token_type")] string TokenType);

/// <summary><c>GET /oauth/v1/refresh-tokens/{token}</c>.</summary>
public sealed record RefreshTokenInfo(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("hub_domain")] string HubDomain,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes,
    [property: JsonPropertyName("hub_id")] long HubId,
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("user_id")] long UserId,
    [property: JsonPropertyName("token_type")] string TokenType);

/// <summary>
/// The token endpoint's refusals: 400 with <c>{status: "BAD_…", message, correlationId}</c> — a different shape from the
/// API's errors.
/// </summary>
public sealed record OAuthError(string Status, string Message)
{
    public static readonly OAuthError BadClientId = new("BAD_CLIENT_ID", "missing or unknown client id");
    public static readonly OAuthError BadClientSecret = new("BAD_CLIENT_SECRET", "missing or invalid client secret");
    public static readonly OAuthError BadGrantType = new("BAD_GRANT_TYPE", "missing or unknown grant type");
    public static readonly OAuthError BadAuthCode = new("BAD_AUTH_CODE", "missing or unknown auth code");
    public static readonly OAuthError BadRedirectUri = new("BAD_REDIRECT_URI", "redirect_uri does not match the one of the auth code");
    public static readonly OAuthError BadRefreshToken = new("BAD_REFRESH_TOKEN", "missing or invalid refresh token");

    public IResult ToResult() => TypedResults.Json(
        new OAuthErrorBody(Status, Message, CorrelationIds.New()),
        HubSpotJson.Context.OAuthErrorBody,
        statusCode: StatusCodes.Status400BadRequest);
}

public sealed record OAuthErrorBody(string Status, string Message, string CorrelationId);
