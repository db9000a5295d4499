using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Runtime;

/// <summary>The Data Protection key ring lives in PostgreSQL: what one silo protects, any other can read, after restarts too.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DataProtectionTests
{
    [Fact]
    public async Task Silos_that_start_together_read_each_others_protected_tokens()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        string protectedText;
        await using (var cluster = await PostgresCluster.StartAsync(database, silos: 2))
        {
            var first = cluster.Silos[0].Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
            var second = cluster.Silos[1].Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
            protectedText = first.Protect("refresh-token-of-company-42");
            Assert.Equal("refresh-token-of-company-42", second.Unprotect(protectedText));
            Assert.Equal("token from the second", first.Unprotect(second.Protect("token from the second")));
        }

        // A whole new cluster on the same database still reads what the old one wrote.
        await using var restarted = await PostgresCluster.StartAsync(database, silos: 1);
        Assert.Equal("refresh-token-of-company-42", restarted.Silos[0].Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedText));
    }
}
