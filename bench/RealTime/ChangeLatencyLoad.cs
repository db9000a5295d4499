using System.Diagnostics;
using System.Globalization;
using System.Text;
using OrleansSync.Bench.Product;

namespace OrleansSync.Bench.RealTime;

/// <summary>
/// Issue 5: how long from a change in QuickBooks to the HubSpot deal property that shows it. 50 tenants (portal and
/// company each), 20 deals each with an invoice; invoices' due dates are changed in the QuickBooks sandbox at a steady
/// rate, open loop — each change is made when the schedule says, whatever happened to the ones before — and the time
/// is taken from that moment to the moment the sandbox's HubSpot CRM stores the deal's
/// <c>orleanssync_invoice_due_date</c> with the new date (an in-process <see cref="Sandbox.HubSpot.ICrmChangeObserver"/>,
/// no polling). Everything between is the product as it runs: the sandbox's signed webhook (gathered per company for
/// 200 ms, as QuickBooks does), the api and the inbox, the account grain reading the changed invoices from QuickBooks,
/// the invoice grain, its notice to the deal through the inbox, and the deal grain's PATCH to HubSpot — within both
/// services' rate limits.
/// </summary>
internal static class ChangeLatencyLoad
{
    private const int Tenants = 50;
    private const int DealsPerTenant = 20;
    private static readonly int[] Rates = [100, 1000];
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Measured = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(90);
    private static readonly DateOnly FirstDueDate = new(2030, 1, 1);

    /// <summary>
    /// <c>realtime [memory|cluster] [rate…] [--Setting=value…]</c>: the single-process default (the default), or 2 silos
    /// on PostgreSQL; the rates to run (100 and 1,000 changes/s); settings for the product's hosts.
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        var settings = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToList();
        args = [.. args.Except(settings)];
        var mode = args.FirstOrDefault() ?? "memory";
        var rates = args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        if (rates.Length == 0)
            rates = Rates;

        var setup = Stopwatch.StartNew();
        Console.WriteLine($"Starting the product ({mode}{(settings.Count == 0 ? "" : $", {string.Join(" ", settings)}")}) with {Tenants} tenants in the sandbox…");
        await using var product = mode switch
        {
            "memory" => await BenchProduct.StartSingleProcessAsync(Tenants, settings),
            "cluster" => await BenchProduct.StartClusterAsync(Tenants, silos: 2, settings),
            _ => throw new ArgumentException($"realtime runs 'memory' (the single-process default) or 'cluster' (2 silos on PostgreSQL), not '{mode}'."),
        };
        var invoices = await SetUpAsync(product);
        Console.WriteLine($"Set up in {setup.Elapsed.TotalSeconds:F0} s: {Tenants} tenants installed and connected, {invoices.Count} deals with an invoice each.");
        await SettleAsync(product);

        var results = new List<LatencyResult>();
        foreach (var rate in rates)
        {
            results.Add(await MeasureAsync(product, invoices, BenchTenant.First(Tenants), rate));
            await SettleAsync(product);
        }

        Console.WriteLine();
        Console.WriteLine($"Change in QuickBooks → deal property in HubSpot; {product.Mode}{(settings.Count == 0 ? "" : $", {string.Join(" ", settings)}")}; {Tenants} tenants × {DealsPerTenant} deals; {Warmup.TotalSeconds:F0} s warm-up, {Measured.TotalSeconds:F0} s measured.");
        Console.WriteLine();
        Console.WriteLine("| Changes/s | Measured | Landed | Coalesced | Never landed | p50 ms | p90 ms | p99 ms | max ms | Deal writes/s | HubSpot req/s per tenant (max) | QBO req/min per company (max) | QBO change answered p99 ms | Drained after s | Dead letters | Warnings |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            Console.WriteLine($"| {r.Rate:N0} ({r.MadePerSecond:N0} made) | {r.Measured:N0} | {r.Landed:N0} | {r.Coalesced:N0} | {r.NeverLanded:N0} | {r.P50:F0} | {r.P90:F0} | {r.P99:F0} | {r.Max:F0} | {r.DealWritesPerSecond:N0} | {r.HubSpotPerTenantPerSecond:F1} | {r.QuickBooksPerCompanyPerMinute:F0} | {r.AnsweredP99:F0} | {r.DrainedAfter:F1} | {r.DeadLetters} | {r.Warnings} |");
    }

    private static async Task<List<BenchInvoice>> SetUpAsync(BenchProduct product)
    {
        using var tenants = new BenchTenants(product);
        var all = BenchTenant.First(Tenants);
        var perTenant = await Task.WhenAll(all.Select(async (tenant, t) =>
        {
            await tenants.InstallAndConnectAsync(tenant);
            return await tenants.CreateInvoicedDealsAsync(tenant, DealsPerTenant, firstIndex: t * DealsPerTenant);
        }));
        var invoices = perTenant.SelectMany(i => i).ToList();
        foreach (var invoice in invoices)
            product.Writes.Follow(invoice);
        return invoices;
    }

    /// <summary>Waits until the inbox is empty and then lets the services' rate windows (HubSpot's 10 s) pass.</summary>
    private static async Task SettleAsync(BenchProduct product)
    {
        var waiting = Stopwatch.StartNew();
        while ((await product.InboxBacklogAsync()).Pending > 0 && waiting.Elapsed < TimeSpan.FromMinutes(2))
            await Task.Delay(500);
        await Task.Delay(TimeSpan.FromSeconds(11));
    }

    private static async Task<LatencyResult> MeasureAsync(BenchProduct product, IReadOnlyList<BenchInvoice> invoices, IReadOnlyList<BenchTenant> tenants, int rate)
    {
        Console.WriteLine();
        Console.WriteLine($"{rate:N0} changes/s over {Tenants} tenants: {Warmup.TotalSeconds:F0} s warm-up, {Measured.TotalSeconds:F0} s measured…");
        product.Log.Reset();
        using var admin = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(product.Sandbox, "sandbox/quickbooks/admin/"), Timeout = TimeSpan.FromMinutes(2) };

        var changes = new List<InvoiceChange>(rate * (int)(Warmup + Measured).TotalSeconds + 1);
        var frequency = (double)Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(Warmup.TotalSeconds * frequency);
        var measureTo = measureFrom + (long)(Measured.TotalSeconds * frequency);
        long? writesAtStart = null;
        List<(long HubSpot, long QuickBooks)> upstreamAtStart = [];
        var progress = Stopwatch.StartNew();

        // Open loop: change n is due at start + n / rate, and is made then (or as soon as the loop comes round), never
        // held back by answers still awaited. Only a change to the same invoice waits for the one before it, so that the
        // sandbox applies an invoice's changes in the order they were made.
        for (long n = 0; ; n++)
        {
            var due = start + (long)(n * frequency / rate);
            if (due >= measureTo)
                break;
            while (Stopwatch.GetTimestamp() < due)
                await Task.Delay(1);
            if (writesAtStart is null && due >= measureFrom)
            {
                writesAtStart = product.Writes.Count;
                upstreamAtStart = tenants.Select(product.UpstreamRequests).ToList();
            }

            var invoice = invoices[(int)((n % Tenants * DealsPerTenant) + (n / Tenants % DealsPerTenant))];
            invoice.Changes++;
            var change = new InvoiceChange(invoice, FirstDueDate.AddDays(invoice.Changes).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), due, measured: due >= measureFrom);
            invoice.Expect(change);
            invoice.LastCall = MakeAsync(admin, invoice.LastCall, change);
            changes.Add(change);

            if (progress.Elapsed >= TimeSpan.FromSeconds(5))
            {
                progress.Restart();
                Report(start, changes);
            }
        }

        var writesAtEnd = product.Writes.Count;
        var upstream = tenants.Select(product.UpstreamRequests).Zip(upstreamAtStart, (end, begin) => (HubSpot: end.HubSpot - begin.HubSpot, QuickBooks: end.QuickBooks - begin.QuickBooks)).ToList();
        var madeBy = Stopwatch.GetTimestamp();
        await Task.WhenAll(invoices.Select(i => i.LastCall));
        while (changes.Any(c => c.LandedAt == 0 && c.Failure is null) && Stopwatch.GetElapsedTime(madeBy) < DrainLimit)
        {
            await Task.Delay(100);
            if (progress.Elapsed >= TimeSpan.FromSeconds(5))
            {
                progress.Restart();
                Report(start, changes);
            }
        }

        Report(start, changes);
        var measured = changes.Where(c => c.Measured).ToList();
        var landed = measured.Where(c => c.LandedAt != 0).ToList();
        var latencies = landed.Select(c => Milliseconds(c.LandedAt - c.ScheduledAt)).Order().ToArray();
        var answered = measured.Where(c => c.AnsweredAt != 0).Select(c => Milliseconds(c.AnsweredAt - c.ScheduledAt)).Order().ToArray();
        var lastLanding = changes.Where(c => c.LandedAt != 0).Select(c => c.LandedAt).DefaultIfEmpty(madeBy).Max();
        var refused = measured.Where(c => c.Failure is not null).ToList();
        foreach (var failure in refused.Select(c => c.Failure).Distinct().Take(3))
            Console.WriteLine($"  refused by the sandbox: {failure}");
        foreach (var (category, count) in product.Log.Counts)
            Console.WriteLine($"  {count} warnings from {category}");
        var (_, dead) = await product.InboxBacklogAsync();

        var result = new LatencyResult(
            rate,
            measured.Count / Measured.TotalSeconds,
            measured.Count,
            landed.Count,
            landed.Count(c => c.Coalesced),
            measured.Count - landed.Count,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.90),
            Percentile(latencies, 0.99),
            latencies.LastOrDefault(),
            (writesAtEnd - (writesAtStart ?? writesAtEnd)) / Measured.TotalSeconds,
            upstream.Max(u => u.HubSpot) / Measured.TotalSeconds,
            upstream.Max(u => u.QuickBooks) / Measured.TotalMinutes,
            Percentile(answered, 0.99),
            Math.Max(0, Milliseconds(lastLanding - madeBy) / 1000),
            product.Log.Total,
            dead);
        Console.WriteLine($"  {result.Landed:N0} of {result.Measured:N0} landed ({result.Coalesced:N0} coalesced, {result.NeverLanded:N0} never, {refused.Count} refused by the sandbox): p50 {result.P50:F0} ms, p90 {result.P90:F0} ms, p99 {result.P99:F0} ms, max {result.Max:F0} ms; {result.DealWritesPerSecond:N0} deal writes/s; HubSpot requests per tenant at most {result.HubSpotPerTenantPerSecond:F1}/s, QuickBooks requests per company at most {result.QuickBooksPerCompanyPerMinute:F0}/min; {dead} dead letters");
        return result;
    }

    /// <summary>A person changes the invoice's due date in QuickBooks (the sandbox's admin endpoint, which announces it by webhook).</summary>
    private static async Task MakeAsync(HttpClient admin, Task previous, InvoiceChange change)
    {
        await previous;
        try
        {
            using var body = new StringContent($$"""{"DueDate":"{{change.DueDate}}"}""", Encoding.UTF8, "application/json");
            using var response = await admin.PatchAsync($"realms/{change.Invoice.RealmId}/invoices/{change.Invoice.InvoiceId}", body);
            if (!response.IsSuccessStatusCode)
                change.Failure = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            change.Failure = exception.Message;
        }

        change.AnsweredAt = Stopwatch.GetTimestamp();
        if (change.Failure is not null)
            change.Invoice.Forget(change);
    }

    private static void Report(long start, List<InvoiceChange> changes)
    {
        var landed = changes.Count(c => c.LandedAt != 0);
        var answered = changes.Count(c => c.AnsweredAt != 0);
        Console.WriteLine($"  {Stopwatch.GetElapsedTime(start).TotalSeconds,5:F0} s: {changes.Count:N0} made, {answered:N0} answered, {landed:N0} on the deals, {changes.Count - landed:N0} waiting");
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double Percentile(double[] sorted, double quantile) => sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(quantile * sorted.Length) - 1)];

    private sealed record LatencyResult(
        int Rate,
        double MadePerSecond,
        int Measured,
        int Landed,
        int Coalesced,
        int NeverLanded,
        double P50,
        double P90,
        double P99,
        double Max,
        double DealWritesPerSecond,
        double HubSpotPerTenantPerSecond,
        double QuickBooksPerCompanyPerMinute,
        double AnsweredP99,
        double DrainedAfter,
        int Warnings,
        long DeadLetters);
}
