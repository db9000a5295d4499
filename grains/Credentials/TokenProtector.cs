using Microsoft.AspNetCore.DataProtection;

namespace OrleansSync.Grains.Credentials;

/// <summary>
/// Encrypts tokens before they go into grain state (F1b: "stored encrypted"), with ASP.NET Core Data Protection,
/// whose key ring every silo shares. A token never appears in state, logs or views in the clear.
/// </summary>
public sealed class TokenProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("OrleansSync.Credentials.Tokens.v1");

    public string Protect(string token) => _protector.Protect(token);

    public string Unprotect(string protectedToken) => _protector.Unprotect(protectedToken);
}
