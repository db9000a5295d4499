using Microsoft.Extensions.Logging;
using OrleansSync.GrainInterfaces;
using OrleansSync.Runtime;

namespace OrleansSync.Grains.Credentials;

/// <summary>
/// One OAuth connection's tokens: kept encrypted, handed out for calls, refreshed a few minutes before the access
/// token expires (a reminder, so that even an idle connection keeps its refresh token alive) and when the service
/// refuses a token. A refused refresh breaks the connection, with the reason, until a person connects again.
/// </summary>
/// <remarks>
/// Expiry is kept in grain time, the clock a demo moves forward: the token endpoints answer a lifetime, which starts
/// now in grain time, whatever the silo's own clock says.
/// </remarks>
public abstract partial class TokenGrain : Grain, IRemindable
{
    private const string RefreshReminder = "refresh-tokens";
    private static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(5);

    private readonly IPersistentState<TokenState> _state;
    private readonly TokenProtector _protector;
    private readonly TimeProvider _grainClock;
    private readonly TimeProvider _siloClock;
    private readonly ILogger _logger;

    protected TokenGrain(IPersistentState<TokenState> state, TokenProtector protector, TimeProvider grainClock, TimeProvider siloClock, ILogger logger)
    {
        _state = state;
        _protector = protector;
        _grainClock = grainClock;
        _siloClock = siloClock;
        _logger = logger;
    }

    protected TokenState Tokens => _state.State;

    /// <summary>"HubSpot account 7262481", "QuickBooks company 9341…": how messages name this connection.</summary>
    protected abstract string ConnectionName { get; }

    /// <summary>What a person does to repair the connection.</summary>
    protected abstract string ReconnectAdvice { get; }

    /// <summary>Asks the token endpoint for new tokens; throws <see cref="RefreshRefusedException"/> when it refuses.</summary>
    protected abstract Task<IssuedTokens> RequestRefreshAsync(string refreshToken);

    /// <summary>Revokes the refresh token at the service, where it can be.</summary>
    protected virtual Task RevokeAsync(string refreshToken) => Task.CompletedTask;

    public Task<AccessGrant> GetAccessTokenAsync()
        => Tokens.State == ConnectionState.Connected && _grainClock.GetUtcNow() < Tokens.AccessTokenExpiresAt - TimeSpan.FromMinutes(1)
            ? Task.FromResult(Grant())
            : RefreshNowAsync();

    public Task<AccessGrant> RefreshAsync(string rejectedAccessToken)
    {
        // Several calls can be refused with the same token; the first refreshes, the others take its result.
        if (Tokens.State == ConnectionState.Connected && Tokens.ProtectedAccessToken is { } current && _protector.Unprotect(current) != rejectedAccessToken)
            return Task.FromResult(Grant());
        return RefreshNowAsync();
    }

    public Task<ConnectionView> GetStatusAsync() => Task.FromResult(Tokens.View());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RefreshReminder)
            return;
        if (Tokens.State != ConnectionState.Connected)
        {
            await StopRefreshingAsync();
            return;
        }

        if (_grainClock.GetUtcNow() >= Tokens.AccessTokenExpiresAt - RefreshAhead)
            await RefreshNowAsync();
    }

    /// <summary>Keeps newly issued tokens (expiry as the silo's clock saw it when they were issued).</summary>
    protected async Task StoreAsync(string accessToken, string refreshToken, DateTimeOffset accessTokenExpiresAt, DateTimeOffset? refreshTokenExpiresAt)
    {
        var siloNow = _siloClock.GetUtcNow();
        var now = _grainClock.GetUtcNow();
        Keep(new IssuedTokens(accessToken, refreshToken, now + (accessTokenExpiresAt - siloNow), now + (refreshTokenExpiresAt - siloNow)));
        Tokens.State = ConnectionState.Connected;
        Tokens.Reason = null;
        Tokens.Since = now;
        await _state.WriteStateAsync();
        await ScheduleRefreshAsync();
    }

    /// <summary>Revokes and forgets the tokens.</summary>
    protected async Task DisconnectAsync(string reason)
    {
        if (Tokens.ProtectedRefreshToken is { } refreshToken)
        {
            try
            {
                await RevokeAsync(_protector.Unprotect(refreshToken));
            }
            catch (Exception exception)
            {
                // Forgetting the tokens matters more than telling the service; they expire on their own.
                LogRevokeFailed(exception, ConnectionName);
            }
        }

        Tokens.ProtectedAccessToken = null;
        Tokens.ProtectedRefreshToken = null;
        Tokens.AccessTokenExpiresAt = null;
        Tokens.RefreshTokenExpiresAt = null;
        Tokens.State = ConnectionState.Disconnected;
        Tokens.Reason = reason;
        Tokens.Since = _grainClock.GetUtcNow();
        await _state.WriteStateAsync();
        await StopRefreshingAsync();
    }

    /// <summary>Converts a lifetime the token endpoint answered (as an expiry on the silo's clock) to grain time.</summary>
    protected DateTimeOffset InGrainTime(DateTimeOffset siloExpiry) => _grainClock.GetUtcNow() + (siloExpiry - _siloClock.GetUtcNow());

    protected DateTimeOffset? InGrainTime(DateTimeOffset? siloExpiry) => siloExpiry is { } expiry ? InGrainTime(expiry) : null;

    private async Task<AccessGrant> RefreshNowAsync()
    {
        if (Tokens.State != ConnectionState.Connected || Tokens.ProtectedRefreshToken is null)
            return Refused();

        IssuedTokens issued;
        try
        {
            issued = await RequestRefreshAsync(_protector.Unprotect(Tokens.ProtectedRefreshToken));
        }
        catch (RefreshRefusedException refused)
        {
            LogRefreshRefused(ConnectionName, refused.Message);
            Tokens.State = ConnectionState.Broken;
            Tokens.Reason = $"{refused.Message} {ReconnectAdvice}";
            Tokens.Since = _grainClock.GetUtcNow();
            await _state.WriteStateAsync();
            await StopRefreshingAsync();
            return Refused();
        }
        catch (Exception exception)
        {
            LogRefreshFailed(exception, ConnectionName);
            return new AccessGrant(null, Tokens.AccessTokenExpiresAt ?? default, $"The token endpoint for {ConnectionName} could not be reached ({exception.Message}); try again shortly.", Retryable: true);
        }

        // The newest refresh token is the only one that works from now on (QuickBooks rotates them): keep it at once.
        Keep(issued);
        await _state.WriteStateAsync();
        await ScheduleRefreshAsync();
        LogRefreshed(ConnectionName, Tokens.AccessTokenExpiresAt!.Value);
        return Grant();
    }

    private void Keep(IssuedTokens issued)
    {
        Tokens.ProtectedAccessToken = _protector.Protect(issued.AccessToken);
        Tokens.ProtectedRefreshToken = _protector.Protect(issued.RefreshToken);
        Tokens.AccessTokenExpiresAt = issued.AccessTokenExpiresAt;
        Tokens.RefreshTokenExpiresAt = issued.RefreshTokenExpiresAt ?? Tokens.RefreshTokenExpiresAt;
    }

    private AccessGrant Grant() => new(_protector.Unprotect(Tokens.ProtectedAccessToken!), Tokens.AccessTokenExpiresAt!.Value, null);

    private AccessGrant Refused() => new(null, default, Tokens.State switch
    {
        ConnectionState.Broken => $"{ConnectionName} is broken: {Tokens.Reason}",
        _ => $"{ConnectionName} is not connected{(Tokens.Reason is null ? "" : $" ({Tokens.Reason})")}. {ReconnectAdvice}",
    });

    private async Task ScheduleRefreshAsync()
    {
        var now = _grainClock.GetUtcNow();
        var refreshAt = Tokens.AccessTokenExpiresAt!.Value - RefreshAhead;
        var lifetime = Tokens.AccessTokenExpiresAt.Value - now;
        var period = lifetime - RefreshAhead > TimeSpan.FromMinutes(1) ? lifetime - RefreshAhead : TimeSpan.FromMinutes(1);
        await RegisterOrUpdateReminder(RefreshReminder, refreshAt > now ? refreshAt - now : TimeSpan.Zero, period);
    }

    private async Task StopRefreshingAsync()
    {
        if (await GetReminder(RefreshReminder) is { } reminder)
            await UnregisterReminder(reminder);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refreshed the tokens of {Connection}; the access token now expires at {ExpiresAt}")]
    private partial void LogRefreshed(string connection, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The token endpoint refused to refresh {Connection}: {Reason}. The connection is broken until it is connected again.")]
    private partial void LogRefreshRefused(string connection, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the tokens of {Connection} failed; the current ones are kept")]
    private partial void LogRefreshFailed(Exception exception, string connection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revoking the tokens of {Connection} failed; they are forgotten anyway")]
    private partial void LogRevokeFailed(Exception exception, string connection);
}
