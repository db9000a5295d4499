using OrleansSync.Api.Hosting;
using OrleansSync.Runtime.Hosting;

namespace OrleansSync.Api;

/// <summary>The api front-end alone: it reaches the silos through PostgreSQL and forwards every call to them.</summary>
public static class Program
{
    public static void Main(string[] args) => CreateApp(args).Run();

    public static WebApplication CreateApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOrleansSyncClusterClient(builder.Configuration);
        builder.Services.AddOrleansSyncApi(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseOrleansSyncApi();
        app.MapHealthChecks("/health");
        app.MapOrleansSyncApi();
        app.Logger.LogInformation("The api front-end runs alone: grain calls go to the silos found in PostgreSQL.");
        return app;
    }
}
