using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansSync.Runtime.Postgres;

namespace OrleansSync.Runtime.Hosting;

/// <summary>
/// ASP.NET Core Data Protection for every node. On PostgreSQL the key ring lives with the rest of the durable state,
/// so that a token one silo protected another can read after a failover; in the single-process default the keys,
/// like everything else, live in memory. Configuration section <c>DataProtection</c>.
/// </summary>
public static class DataProtectionHosting
{
    public const string ApplicationName = "OrleansSync";

    internal static void AddOrleansSyncDataProtection(this IServiceCollection services, IConfiguration configuration, bool durable)
    {
        if (!durable)
        {
            services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
            return;
        }

        var builder = services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource>((options, dataSource) => options.XmlRepository = new PostgresXmlRepository(dataSource));

        // Keys are stored as they are unless a certificate is given to encrypt them at rest (Data Protection says so in
        // its log): DataProtection__CertificatePath and DataProtection__CertificatePassword.
        if (configuration["DataProtection:CertificatePath"] is { Length: > 0 } path)
            builder.ProtectKeysWithCertificate(X509CertificateLoader.LoadPkcs12FromFile(path, configuration["DataProtection:CertificatePassword"]));
    }
}
