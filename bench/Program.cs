using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using OrleansSync.Bench;
using OrleansSync.Bench.RealTime;
using OrleansSync.Bench.Webhooks;

// dotnet run -c Release --project bench -- calls     in-silo grain calls against the plain baseline (BenchmarkDotNet)
// dotnet run -c Release --project bench -- dashboard the same grain calls with the dashboard closed and open (polled every 2 s)
// dotnet run -c Release --project bench -- dashboard-paired  the same, closed and open in alternating 2 s blocks seconds apart (30 rounds;
//                                                     --block-ms N, --one-caller/--two-callers; --no-http keeps the watch on without polling;
//                                                     --closed-twice measures the harness itself, closed against closed)
// dotnet run -c Release --project bench -- cluster   cross-silo calls, PostgreSQL state writes, inbox appends
// dotnet run -c Release --project bench -- realtime  change in QuickBooks → deal property in HubSpot, 50 tenants, 100 and 1,000 changes/s
//                                                     (realtime cluster: 2 silos on PostgreSQL instead of the single-process default)
// dotnet run -c Release --project bench -- ingest    signed webhooks acknowledged per second, api node and 2 silos on PostgreSQL
// dotnet run -c Release --project bench -- all       calls, dashboard and cluster
var what = args.FirstOrDefault() ?? "all";
var inProcess = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
if (what is "calls" or "all")
    BenchmarkRunner.Run<InSiloCallBenchmarks>(inProcess, args.Skip(1).ToArray());

if (what is "dashboard" or "all")
    BenchmarkRunner.Run<DashboardOpenBenchmarks>(inProcess, args.Skip(1).ToArray());

if (what is "dashboard-paired")
    await DashboardPairedLoad.RunAsync(args.Skip(1).ToArray());

if (what is "cluster" or "all")
    await ClusterLoad.RunAsync(args.Skip(1).ToArray());

if (what is "realtime")
    await ChangeLatencyLoad.RunAsync(args.Skip(1).ToArray());

if (what is "ingest")
    await WebhookIngestLoad.RunAsync(args.Skip(1).ToArray());
