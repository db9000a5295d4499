using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansSync.Bench.Product;
using OrleansSync.Clients.Webhooks;

namespace OrleansSync.Bench.Webhooks;

/// <summary>
/// Issue 5: how many webhook events the api acknowledges per second, each answer given only once its events are in the
/// inbox — on PostgreSQL, committed and flushed. Signed QuickBooks webhooks of 10 events (legacy and CloudEvents
/// bodies, alternately, each for one of 50 companies connected to 50 tenants), and HubSpot batches of 100 events
/// (v3-signed), POSTed to the api node by concurrent senders in a loop. The silos deliver the events meanwhile, as they
/// would: the invoices named (20 per company, fewer than the 30 that make the account use change data capture) are
/// not ones the tenants follow, so a delivery costs the account grain a look and a state write but no call to
/// QuickBooks — the figure is the ingest path's, with delivery competing for the same cores and database.
/// </summary>
internal static class WebhookIngestLoad
{
    private const int Tenants = 50;
    private const int QuickBooksEventsPerRequest = 10;
    private const int HubSpotEventsPerRequest = 100;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Measured = TimeSpan.FromSeconds(15);
    private static readonly string RunId = Guid.NewGuid().ToString("N")[..8];
    private static long _sequence;

    /// <summary><c>ingest [cluster|memory] [--Setting=value…]</c>: 2 silos and an api node on PostgreSQL (the default), or the single-process default.</summary>
    public static async Task RunAsync(string[] args)
    {
        var settings = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToList();
        var mode = args.Except(settings).FirstOrDefault() ?? "cluster";
        Console.WriteLine($"Starting the product ({mode}) with {Tenants} tenants in the sandbox…");
        await using var product = mode switch
        {
            "cluster" => await BenchProduct.StartClusterAsync(Tenants, silos: 2, settings),
            "memory" => await BenchProduct.StartSingleProcessAsync(Tenants, settings),
            _ => throw new ArgumentException($"ingest runs 'cluster' (2 silos on PostgreSQL) or 'memory' (the single-process default), not '{mode}'."),
        };
        var tenants = BenchTenant.First(Tenants);
        using (var setup = new BenchTenants(product))
            await Task.WhenAll(tenants.Select(setup.InstallAndConnectAsync));
        Console.WriteLine($"{Tenants} tenants installed and connected; each measurement: {Warmup.TotalSeconds:F0} s warm-up, {Measured.TotalSeconds:F0} s timed.");

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = new Uri(product.Api, "webhooks/") };
        var hubSpotUrl = new Uri(product.Api, "webhooks/hubspot").AbsoluteUri;
        var results = new List<IngestResult>();
        foreach (var senders in new[] { 16, 64 })
        {
            results.Add(await MeasureAsync(product, $"QuickBooks, {QuickBooksEventsPerRequest} events per request (legacy and CloudEvents)", senders, QuickBooksEventsPerRequest,
                (worker, n) => SendQuickBooksAsync(http, tenants[(int)((worker + n) % Tenants)].RealmId, cloudEvents: n % 2 == 1)));
        }

        results.Add(await MeasureAsync(product, $"HubSpot, {HubSpotEventsPerRequest} events per request (v3 signature)", 8, HubSpotEventsPerRequest,
            (worker, n) => SendHubSpotAsync(http, hubSpotUrl, tenants[(int)((worker + n) % Tenants)].PortalId)));

        Console.WriteLine();
        Console.WriteLine($"Webhook ingest; {product.Mode}.");
        Console.WriteLine();
        Console.WriteLine("| Webhooks | Senders | Requests/s | Events/s acknowledged | p50 ms | p99 ms | Inbox backlog after | Drained in s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            Console.WriteLine($"| {r.Name} | {r.Senders} | {r.RequestsPerSecond:N0} | {r.EventsPerSecond:N0} | {r.P50:F1} | {r.P99:F1} | {r.BacklogAfter:N0} | {r.DrainedIn:F0} |");
    }

    /// <summary>
    /// A fixed number of senders, each POSTing in a loop; counts the events the answers say were recorded, and each
    /// request's time to its answer. Then waits for the silos to deliver what is left, so that the next measurement
    /// starts with an empty inbox.
    /// </summary>
    private static async Task<IngestResult> MeasureAsync(BenchProduct product, string name, int senders, int eventsPerRequest, Func<int, long, Task<int>> send)
    {
        product.Log.Reset();
        var latencies = Enumerable.Range(0, senders).Select(_ => new List<double>(100_000)).ToArray();
        var measuring = false;
        var stopping = false;
        long requests = 0, recorded = 0;

        var workers = Enumerable.Range(0, senders).Select(worker => Task.Run(async () =>
        {
            for (long n = 0; !Volatile.Read(ref stopping); n++)
            {
                var started = Stopwatch.GetTimestamp();
                var accepted = await send(worker, n);
                if (!Volatile.Read(ref measuring))
                    continue;
                latencies[worker].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref requests);
                Interlocked.Add(ref recorded, accepted);
            }
        })).ToArray();

        await Task.Delay(Warmup);
        Volatile.Write(ref measuring, true);
        var clock = Stopwatch.StartNew();
        await Task.Delay(Measured);
        Volatile.Write(ref measuring, false);
        var elapsed = clock.Elapsed;
        Volatile.Write(ref stopping, true);
        await Task.WhenAll(workers);

        var (backlog, _) = await product.InboxBacklogAsync();
        var draining = Stopwatch.StartNew();
        while ((await product.InboxBacklogAsync()).Pending > 0 && draining.Elapsed < TimeSpan.FromMinutes(3))
            await Task.Delay(500);
        var (left, dead) = await product.InboxBacklogAsync();

        var all = latencies.SelectMany(l => l).Order().ToArray();
        var result = new IngestResult(name, senders, requests / elapsed.TotalSeconds, recorded / elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99), backlog, draining.Elapsed.TotalSeconds);
        var missing = (requests * eventsPerRequest) - recorded;
        Console.WriteLine($"{name}, {senders} senders: {result.EventsPerSecond:N0} events/s ({result.RequestsPerSecond:N0} requests/s), p50 {result.P50:F1} ms, p99 {result.P99:F1} ms; {backlog:N0} events left to deliver, delivered in {result.DrainedIn:F0} s ({left} still pending, {dead} dead-lettered); {missing} events not recorded; {product.Log.Total} warnings");
        return result;
    }

    /// <summary>A signed QuickBooks notification of 10 invoice updates for one company; answers how many were recorded.</summary>
    private static async Task<int> SendQuickBooksAsync(HttpClient http, string realmId, bool cloudEvents)
    {
        var body = Encoding.UTF8.GetBytes((cloudEvents ? (JsonNode)CloudEvents(realmId) : Legacy(realmId)).ToJsonString());
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(cloudEvents ? "application/cloudevents+json" : "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "quickbooks") { Content = content };
        request.Headers.Add(IntuitWebhookSignature.HeaderName, IntuitWebhookSignature.Compute(body, BenchProduct.QuickBooksVerifierToken));
        request.Headers.Add("intuit-t-id", Guid.NewGuid().ToString());
        return await RecordedAsync(await http.SendAsync(request));
    }

    /// <summary>A HubSpot batch of 100 deal property changes (of a property the product does not follow), v3-signed.</summary>
    private static async Task<int> SendHubSpotAsync(HttpClient http, string url, long portalId)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var events = new JsonArray();
        for (var i = 0; i < HubSpotEventsPerRequest; i++)
        {
            var sequence = Interlocked.Increment(ref _sequence);
            events.Add(new JsonObject
            {
                ["eventId"] = sequence,
                ["subscriptionId"] = 4242,
                ["portalId"] = portalId,
                ["appId"] = 1234567,
                ["occurredAt"] = now,
                ["subscriptionType"] = "deal.propertyChange",
                ["attemptNumber"] = 0,
                ["objectId"] = 53001 + (sequence % 20),
                ["propertyName"] = "dealname",
                ["propertyValue"] = $"Deal renamed {RunId}-{sequence}",
                ["changeSource"] = "CRM_UI",
                ["sourceId"] = "userId:1000001",
            });
        }

        var body = Encoding.UTF8.GetBytes(events.ToJsonString());
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "hubspot") { Content = content };
        request.Headers.Add(HubSpotSignature.SignatureV3Header, HubSpotSignature.ComputeV3(BenchProduct.HubSpotClientSecret, "POST", url, body, now));
        request.Headers.Add(HubSpotSignature.TimestampHeader, now.ToString(CultureInfo.InvariantCulture));
        return await RecordedAsync(await http.SendAsync(request));
    }

    private static async Task<int> RecordedAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"The webhook was refused: {(int)response.StatusCode} {text}");
            return JsonDocument.Parse(text).RootElement.GetProperty("recorded").GetInt32();
        }
    }

    /// <summary>QuickBooks' <c>eventNotifications</c>: one company, its entities; an event is told apart by its lastUpdated.</summary>
    private static JsonObject Legacy(string realmId)
    {
        var entities = new JsonArray();
        for (var i = 0; i < QuickBooksEventsPerRequest; i++)
        {
            var sequence = Interlocked.Increment(ref _sequence);
            entities.Add(new JsonObject
            {
                ["name"] = "Invoice",
                ["id"] = (9000 + (sequence % 20)).ToString(CultureInfo.InvariantCulture),
                ["operation"] = "Update",
                ["lastUpdated"] = LastUpdated(sequence),
            });
        }

        return new JsonObject
        {
            ["eventNotifications"] = new JsonArray(new JsonObject
            {
                ["realmId"] = realmId,
                ["dataChangeEvent"] = new JsonObject { ["entities"] = entities },
            }),
        };
    }

    /// <summary>The CloudEvents format: an array of events, each with its own id.</summary>
    private static JsonArray CloudEvents(string realmId)
    {
        var events = new JsonArray();
        for (var i = 0; i < QuickBooksEventsPerRequest; i++)
        {
            var sequence = Interlocked.Increment(ref _sequence);
            var invoiceId = (9000 + (sequence % 20)).ToString(CultureInfo.InvariantCulture);
            events.Add(new JsonObject
            {
                ["specversion"] = "1.0",
                ["id"] = $"{Guid.NewGuid()}-Invoice-{invoiceId}",
                ["source"] = "intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",
                ["type"] = "qbo.invoice.updated.v1",
                ["datacontenttype"] = "application/json",
                ["time"] = LastUpdated(sequence),
                ["intuitentityid"] = invoiceId,
                ["intuitaccountid"] = realmId,
                ["data"] = new JsonObject(),
            });
        }

        return events;
    }

    /// <summary>A distinct time per event (a millisecond apart), which also makes the legacy events' ids distinct.</summary>
    private static string LastUpdated(long sequence)
        => DateTimeOffset.UtcNow.Date.AddMilliseconds(sequence).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static double Percentile(double[] sorted, double quantile) => sorted.Length == 0 ? 0 : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(quantile * sorted.Length) - 1)];

    private sealed record IngestResult(string Name, int Senders, double RequestsPerSecond, double EventsPerSecond, double P50, double P99, long BacklogAfter, double DrainedIn);
}
