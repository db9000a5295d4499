using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansSync.Clients.HubSpot;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Grains.Credentials;

/// <summary>A HubSpot account's tokens (key <c>{portalId}/hubspot/credentials</c>).</summary>
public sealed class HubSpotCredentialsGrain(
    [PersistentState("tokens")] IPersistentState<TokenState> state,
    TokenProtector protector,
    HubSpotOAuthClient oauth,
    [FromKeyedServices(GrainClock.Key)] TimeProvider grainClock,
    TimeProvider siloClock,
    ILogger<HubSpotCredentialsGrain> logger)
    : TokenGrain(state, protector, grainClock, siloClock, logger), IHubSpotCredentialsGrain
{
    protected override string ConnectionName => $"HubSpot account {GrainKeys.PortalOf(GetPrimaryKeyString())}";

    protected override string ReconnectAdvice => "Install the app again from HubSpot.";

    public Task StoreAsync(HubSpotInstall install)
        => StoreAsync(install.AccessToken, install.RefreshToken, install.AccessTokenExpiresAt, refreshTokenExpiresAt: null);

    protected override async Task<IssuedTokens> RequestRefreshAsync(string refreshToken)
    {
        try
        {
            var tokens = await oauth.RefreshAsync(refreshToken);
            return new IssuedTokens(tokens.AccessToken, tokens.RefreshToken, InGrainTime(tokens.AccessTokenExpiresAt), null);
        }
        catch (HubSpotOAuthException refused) when (refused.HttpStatus is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
        {
            throw new RefreshRefusedException($"HubSpot refused the refresh token ({refused.Status}).");
        }
    }
}

/// <summary>
/// A QuickBooks company's connection (key <c>qbo-{realmId}/connection</c>): which tenant holds it, and its tokens.
/// QuickBooks rotates refresh tokens, so each refresh's new one is written before it is used.
/// </summary>
public sealed class QuickBooksConnectionGrain(
    [PersistentState("tokens")] IPersistentState<TokenState> state,
    TokenProtector protector,
    OrleansSync.Clients.QuickBooks.QuickBooksOAuthClient oauth,
    [FromKeyedServices(GrainClock.Key)] TimeProvider grainClock,
    TimeProvider siloClock,
    ILogger<QuickBooksConnectionGrain> logger)
    : TokenGrain(state, protector, grainClock, siloClock, logger), IQuickBooksConnectionGrain
{
    private string RealmId => GetPrimaryKeyString()["qbo-".Length..GetPrimaryKeyString().IndexOf('/', StringComparison.Ordinal)];

    protected override string ConnectionName => $"QuickBooks company {RealmId}";

    protected override string ReconnectAdvice => "Connect the company again.";

    public async Task<Outcome<ConnectionView>> ConnectAsync(long portalId, QuickBooksConnect connect)
    {
        if (Tokens.PortalId is { } holder && holder != portalId && Tokens.State != ConnectionState.Disconnected)
        {
            return Problem.Conflict(
                "Company connected elsewhere",
                $"QuickBooks company {RealmId} is connected to HubSpot account {holder}. A company can be connected to one HubSpot account at a time: disconnect it there first.");
        }

        Tokens.PortalId = portalId;
        await StoreAsync(connect.AccessToken, connect.RefreshToken, connect.AccessTokenExpiresAt, connect.RefreshTokenExpiresAt);
        return Tokens.View();
    }

    public async Task<Outcome<ConnectionView>> DisconnectAsync(long portalId)
    {
        if (Tokens.PortalId != portalId)
            return Problem.NotFound("Not connected", $"QuickBooks company {RealmId} is not connected to HubSpot account {portalId}.");
        await DisconnectAsync($"Disconnected by HubSpot account {portalId}.");
        return Tokens.View();
    }

    public Task<long?> GetOwnerAsync() => Task.FromResult(Tokens.State == ConnectionState.Disconnected ? null : Tokens.PortalId);

    protected override async Task<IssuedTokens> RequestRefreshAsync(string refreshToken)
    {
        try
        {
            var tokens = await oauth.RefreshAsync(refreshToken);
            return new IssuedTokens(tokens.AccessToken, tokens.RefreshToken, InGrainTime(tokens.AccessTokenExpiresAt), InGrainTime(tokens.RefreshTokenExpiresAt));
        }
        catch (OrleansSync.Clients.QuickBooks.QuickBooksOAuthException refused) when (refused.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
        {
            throw new RefreshRefusedException($"QuickBooks refused the refresh token ({refused.Error}{(refused.Description is null ? "" : $": {refused.Description}")}).");
        }
    }

    protected override Task RevokeAsync(string refreshToken) => oauth.RevokeAsync(refreshToken);
}
