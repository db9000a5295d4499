using OrleansSync.Api.Hosting;
using OrleansSync.Grains;
using OrleansSync.Runtime.Hosting;

namespace OrleansSync.Silo;

/// <summary>
/// A silo, serving the api endpoints too. The configuration alone decides the mode: without
/// <c>ConnectionStrings:Postgres</c> this one process is the whole product, in memory; with it, the silo joins the
/// cluster recorded in that database.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => CreateApp(args).Run();

    public static WebApplication CreateApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOrleansSyncSilo(builder.Configuration, silo => silo.AddOrleansSyncGrains());
        builder.Services.AddOrleansSyncApi(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseOrleansSyncApi();
        app.MapSiloEndpoints();
        app.MapOrleansSyncApi();
        return app;
    }
}
