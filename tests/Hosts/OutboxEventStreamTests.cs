using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansSync.Runtime.Outbox;
using OrleansSync.Tests.Infrastructure;
using OrleansSync.Tests.Runtime;

namespace OrleansSync.Tests.Hosts;

/// <summary>The operator API's events, served by the api alone over PostgreSQL while a silo publishes them.</summary>
[Collection(PostgresCollection.Name)]
public sealed class OutboxEventStreamTests
{
    private const string AdminKey = "test-admin-key-0123456789";

    [Fact]
    public async Task The_stream_sends_events_appended_after_the_client_connected_and_resumes_after_Last_Event_ID()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        string[] durable = [$"--ConnectionStrings:Postgres={database}", "--Cluster:ClusterSecret=a-shared-secret", $"--Api:AdminKeys:0={AdminKey}", "--Outbox:PollInterval=00:00:00.200"];
        await using var silo = await RunningApp.StartAsync(Silo.Program.CreateApp, durable);
        await using var api = await RunningApp.StartAsync(Api.Program.CreateApp, durable);
        using var http = Client(api);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var outbox = api.Services.GetRequiredService<IOutbox>();
        var (tenant, other) = (SingleSilo.NewTenant(), SingleSilo.NewTenant());

        await outbox.AppendAsync([Message(tenant, 0)]);
        SseItem<string> first;
        using (var response = await http.GetAsync($"/api/events/stream?tenant={tenant}", HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);

            // Connected: what comes now is sent, and only for this tenant.
            await outbox.AppendAsync([Message(other, 1), Message(tenant, 1)]);
            await using var events = SseParser.Create(await response.Content.ReadAsStreamAsync(timeout.Token)).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
            Assert.True(await events.MoveNextAsync());
            first = events.Current;
        }

        Assert.Equal("invoice.status", first.EventType);
        var firstEvent = JsonDocument.Parse(first.Data).RootElement;
        Assert.Equal($"{tenant}/invoice/1", firstEvent.GetProperty("key").GetString());
        Assert.Equal(tenant, firstEvent.GetProperty("tenantId").GetString());
        Assert.Equal(first.EventId, firstEvent.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, JsonDocument.Parse(firstEvent.GetProperty("payload").GetString()!).RootElement.GetProperty("number").GetInt32());

        // Disconnected meanwhile: the client resumes where it was.
        await outbox.AppendAsync([Message(tenant, 2), Message(other, 2), Message(tenant, 3)]);
        using var resume = new HttpRequestMessage(HttpMethod.Get, $"/api/events/stream?tenant={tenant}");
        resume.Headers.Add("Last-Event-ID", first.EventId);
        using (var response = await http.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        {
            await using var events = SseParser.Create(await response.Content.ReadAsStreamAsync(timeout.Token)).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
            var keys = new List<string>();
            for (var i = 0; i < 2; i++)
            {
                Assert.True(await events.MoveNextAsync());
                keys.Add(JsonDocument.Parse(events.Current.Data).RootElement.GetProperty("key").GetString()!);
                Assert.True(long.Parse(events.Current.EventId!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(first.EventId!, System.Globalization.CultureInfo.InvariantCulture));
            }

            Assert.Equal([$"{tenant}/invoice/2", $"{tenant}/invoice/3"], keys);
        }

        // The api publishes nothing; the silo does, and the api reads that from the database.
        await Eventually.HoldsAsync(async () =>
        {
            var page = (await http.GetFromJsonAsync<JsonElement>($"/api/events?tenant={tenant}", timeout.Token)).EnumerateArray().ToList();
            return page.Count == 4 && page.All(e => e.GetProperty("status").GetString() == "Published" && e.GetProperty("publishedAt").ValueKind == JsonValueKind.String);
        }, TimeSpan.FromSeconds(20), "the silo published the tenant's four events");
        var oldestFirst = (await http.GetFromJsonAsync<JsonElement>($"/api/events?tenant={tenant}&after=0&take=2", timeout.Token)).EnumerateArray().Select(e => e.GetProperty("key").GetString()).ToList();
        Assert.Equal([$"{tenant}/invoice/0", $"{tenant}/invoice/1"], oldestFirst);
        await Eventually.HoldsAsync(async () =>
        {
            var backlog = await http.GetFromJsonAsync<JsonElement>("/api/events/backlog", timeout.Token);
            return backlog.GetProperty("pending").GetInt64() == 0 && backlog.GetProperty("publishedLastMinute").GetInt64() == 6 && backlog.GetProperty("failed").GetInt64() == 0;
        }, TimeSpan.FromSeconds(20), "the backlog shows all six events published");
    }

    [Fact]
    public async Task Bad_queries_get_problem_details_that_say_which_value_is_wrong_and_the_events_need_an_admin_key()
    {
        await using var silo = await RunningApp.StartAsync(Silo.Program.CreateApp, ["--Sandbox:Enabled=false", $"--Api:AdminKeys:0={AdminKey}"]);
        using var http = Client(silo);

        foreach (var (query, what) in new[] { ("take=0", "take"), ("take=501", "take"), ("take=ten", "take"), ("after=-1", "after"), ("after=x", "after") })
        {
            var response = await http.GetAsync($"/api/events?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith(what, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        using var badResume = new HttpRequestMessage(HttpMethod.Get, "/api/events/stream");
        badResume.Headers.Add("Last-Event-ID", "yesterday");
        var refused = await http.SendAsync(badResume);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Last-Event-ID", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/events?take=500")).StatusCode);
        http.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/events")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/events/stream")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/events/backlog")).StatusCode);
    }

    private static OutboxMessage Message(string tenant, int number)
        => new(tenant, "invoice.status", $"{tenant}/invoice/{number}", JsonSerializer.Serialize(new { number }));

    private static HttpClient Client(RunningApp app)
    {
        var http = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return http;
    }
}
