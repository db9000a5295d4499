using OrleansSync.GrainInterfaces;

namespace OrleansSync.Grains.Credentials;

/// <summary>A connection's tokens, encrypted, and its state. Times are in grain time.</summary>
public sealed class TokenState
{
    public string? ProtectedAccessToken { get; set; }

    public string? ProtectedRefreshToken { get; set; }

    public DateTimeOffset? AccessTokenExpiresAt { get; set; }

    public DateTimeOffset? RefreshTokenExpiresAt { get; set; }

    public ConnectionState State { get; set; } = ConnectionState.Disconnected;

    public string? Reason { get; set; }

    public DateTimeOffset? Since { get; set; }

    /// <summary>The tenant holding a QuickBooks company; unused for HubSpot, whose tenant is the key.</summary>
    public long? PortalId { get; set; }

    public ConnectionView View() => new(State, Reason, Since, AccessTokenExpiresAt);
}

/// <summary>Tokens as the OAuth endpoints answered them; expiry in grain time.</summary>
public sealed record IssuedTokens(string AccessToken, string RefreshToken, DateTimeOffset AccessTokenExpiresAt, DateTimeOffset? RefreshTokenExpiresAt);

/// <summary>The token endpoint refused the refresh token: the connection is broken until a person connects again.</summary>
public sealed class RefreshRefusedException(string reason) : Exception(reason);

/// <summary>
/// A call needs a connection that is broken or gone — the message says which and what to do — or whose token endpoint
/// could not be reached just now (<see cref="Retryable"/>).
/// </summary>
public sealed class ConnectionUnavailableException(string message, bool retryable = false) : Exception(message)
{
    public bool Retryable { get; } = retryable;
}
