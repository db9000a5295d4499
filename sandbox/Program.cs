namespace OrleansSync.Sandbox;

/// <summary>The sandbox alone: <c>dotnet run --project sandbox --urls http://localhost:5100</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => CreateApp(args).Run();

    public static WebApplication CreateApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOrleansSyncSandbox(builder.Configuration);
        builder.Services.AddHealthChecks();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHealthChecks("/health");
        app.MapOrleansSyncSandbox();
        return app;
    }
}
