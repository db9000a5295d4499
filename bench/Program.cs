using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using OrleansSync.Bench;

// dotnet run -c Release --project bench -- calls     in-silo grain calls against the plain baseline (BenchmarkDotNet)
// dotnet run -c Release --project bench -- cluster   cross-silo calls, PostgreSQL state writes, inbox appends
// dotnet run -c Release --project bench -- all
var what = args.FirstOrDefault() ?? "all";
if (what is "calls" or "all")
{
    var config = ManualConfig.Create(DefaultConfig.Instance)
        .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10))
        .WithOptions(ConfigOptions.DisableOptimizationsValidator);
    BenchmarkRunner.Run<InSiloCallBenchmarks>(config, args.Skip(1).ToArray());
}

if (what is "cluster" or "all")
    await ClusterLoad.RunAsync(args.Skip(1).ToArray());
