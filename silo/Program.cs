using OrleansSync.Api.Hosting;
using OrleansSync.Dashboard;
using OrleansSync.Grains;
using OrleansSync.Runtime.Hosting;
using OrleansSync.Sandbox;

namespace OrleansSync.Silo;

/// <summary>
/// A silo, serving the api endpoints and the operator dashboard (<c>/dashboard/</c>) too. The configuration alone decides the mode: without
/// <c>ConnectionStrings:Postgres</c> this one process is the whole product, in memory; with it, the silo joins the
/// cluster recorded in that database.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => CreateApp(args).Run();

    public static WebApplication CreateApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var sandbox = SandboxEnabled(builder.Configuration);
        if (sandbox)
        {
            builder.Services.AddOrleansSyncSandbox(builder.Configuration);

            // Alone, this process is the whole product, sandbox included. In a cluster each silo would mount a sandbox of
            // its own, so silos there are pointed (QuickBooks__BaseUrl, HubSpot__BaseUrl, …) at one sandbox run apart.
            if (!Durable(builder.Configuration))
                SandboxWiring.PointAtMountedSandbox(builder);
        }

        builder.Services.AddOrleansSyncSilo(builder.Configuration, silo => silo.AddOrleansSyncGrains());
        builder.Services.AddOrleansSyncApi(builder.Configuration);
        builder.Services.AddOrleansSyncDashboard(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseOrleansSyncDashboard();
        app.UseOrleansSyncApi();
        app.MapSiloEndpoints();
        app.MapOrleansSyncApi();
        app.MapOrleansSyncDashboard();
        if (sandbox)
        {
            app.MapOrleansSyncSandbox();
            app.Logger.LogInformation("The sandbox serves QuickBooks Online at {QuickBooks} and HubSpot at {HubSpot}.", SandboxHosting.QuickBooksPrefix, SandboxHosting.HubSpotPrefix);
        }

        return app;
    }

    /// <summary>
    /// The single-process default brings the sandbox along, so that the product works with nothing else running;
    /// a cluster on PostgreSQL talks to the real services unless <c>Sandbox:Enabled</c> says otherwise.
    /// </summary>
    private static bool SandboxEnabled(IConfiguration configuration) => configuration.GetValue<bool?>("Sandbox:Enabled") ?? !Durable(configuration);

    private static bool Durable(IConfiguration configuration)
        => !string.IsNullOrWhiteSpace(configuration.GetConnectionString(OrleansSyncHosting.PostgresConnectionStringName));
}
