using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OrleansSync.Tests.Infrastructure;

namespace OrleansSync.Tests.Dashboard;

/// <summary>
/// Who gets in, and the page itself: the single-process default started as a user would, with the dashboard settings
/// each test needs.
/// </summary>
public sealed class DashboardAccessTests
{
    private const string AdminKey = "dashboard-admin-key-0123456789";
    private const string User = "grace";
    private const string Password = "a long enough password";

    [Fact]
    public async Task Without_credentials_the_browser_is_asked_for_them_and_a_wrong_key_is_refused()
    {
        await using var silo = await StartAsync();
        using var http = Client(silo);

        var anonymous = await http.GetAsync("dashboard/api/overview");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic realm=\"OrleansSync dashboard\"", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("dashboard/assets/dashboard.css")).StatusCode);

        var wrongKey = await SendAsync(http, "dashboard/api/overview", new AuthenticationHeaderValue("Bearer", "dashboard-admin-key-9876543210"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Contains("not valid", (await ProblemAsync(wrongKey)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("dashboard/api/overview?key=dashboard-admin-key-9876543210")).StatusCode);

        var wrongPassword = await SendAsync(http, "dashboard/api/overview", Basic(User, "not the password"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.StartsWith("Basic", wrongPassword.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_operator_key_or_a_dashboard_user_gets_in()
    {
        await using var silo = await StartAsync();
        using var http = Client(silo);

        var byKey = await SendAsync(http, "dashboard/api/overview", new AuthenticationHeaderValue("Bearer", AdminKey));
        Assert.Equal(HttpStatusCode.OK, byKey.StatusCode);
        Assert.Equal("key", (await JsonAsync(byKey)).GetProperty("auth").GetProperty("mode").GetString());

        var byUser = await SendAsync(http, "dashboard/api/overview", Basic(User, Password));
        Assert.Equal(HttpStatusCode.OK, byUser.StatusCode);
        var auth = (await JsonAsync(byUser)).GetProperty("auth");
        Assert.Equal(("basic", User), (auth.GetProperty("mode").GetString(), auth.GetProperty("user").GetString()));

        using var byHeader = new HttpRequestMessage(HttpMethod.Get, "dashboard/api/overview");
        byHeader.Headers.Add("X-Api-Key", AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(byHeader)).StatusCode);
    }

    [Fact]
    public async Task A_key_in_the_address_once_sets_a_cookie_that_lets_the_page_and_its_requests_in()
    {
        await using var silo = await StartAsync();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = silo.Address };

        var opened = await browser.GetAsync($"dashboard?key={AdminKey}");
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Equal("dashboard/", opened.Headers.Location?.ToString());
        var cookie = Assert.Single(cookies.GetCookies(new Uri(silo.Address, "dashboard/")));
        Assert.Equal("orleanssync-dashboard", cookie.Name);
        Assert.True(cookie.HttpOnly);
        Assert.Contains("samesite=strict", opened.Headers.GetValues("Set-Cookie").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(AdminKey, cookie.Value, StringComparison.Ordinal);

        var page = await browser.GetAsync("dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("key", (await JsonAsync(await browser.GetAsync("dashboard/api/overview"))).GetProperty("auth").GetProperty("mode").GetString());

        // The key is taken out of the address once it has done its work.
        var again = await browser.GetAsync($"dashboard/?key={AdminKey}");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal("./", again.Headers.Location?.ToString());

        // A forged cookie is refused.
        using var forged = new HttpClient { BaseAddress = silo.Address };
        forged.DefaultRequestHeaders.Add("Cookie", "orleanssync-dashboard=CfDJ8forged");
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("dashboard/api/overview")).StatusCode);
    }

    [Fact]
    public async Task Anonymous_access_only_when_switched_on_and_a_wrong_key_is_still_refused()
    {
        await using var silo = await StartAsync("--Dashboard:AllowAnonymous=true");
        using var http = Client(silo);

        var overview = await http.GetAsync("dashboard/api/overview");
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.Equal("anonymous", (await JsonAsync(overview)).GetProperty("auth").GetProperty("mode").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, "dashboard/api/overview", new AuthenticationHeaderValue("Bearer", "dashboard-admin-key-9876543210"))).StatusCode);
    }

    [Fact]
    public async Task The_page_and_its_files_are_served_from_the_build_with_an_etag()
    {
        await using var silo = await StartAsync();
        using var http = Client(silo);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);

        var redirect = await http.GetAsync("dashboard");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("dashboard/", redirect.Headers.Location?.ToString());

        var css = await http.GetAsync("dashboard/assets/dashboard.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", css.Headers.CacheControl?.ToString());
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "dashboard/assets/dashboard.css");
        revalidate.Headers.IfNoneMatch.Add(css.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(revalidate)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("dashboard/assets/nothing.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("dashboard/index.htm")).StatusCode);
    }

    [Fact]
    public async Task Behind_a_proxy_the_dashboard_answers_under_its_base_path()
    {
        await using var silo = await StartAsync("--Dashboard:PathBase=/ops");
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = silo.Address };

        var opened = await browser.GetAsync($"ops/dashboard?key={AdminKey}");
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Equal(new Uri(silo.Address, "ops/dashboard/"), new Uri(new Uri(silo.Address, "ops/dashboard"), opened.Headers.Location!));
        Assert.Equal("/ops/dashboard", Assert.Single(cookies.GetCookies(new Uri(silo.Address, "ops/dashboard/"))).Path);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("ops/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("ops/dashboard/api/overview")).StatusCode);

        // A proxy that says its prefix per request.
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, $"dashboard/api/overview?key={AdminKey}");
        forwarded.Headers.Add("X-Forwarded-Prefix", "/tools");
        var viaProxy = await browser.SendAsync(forwarded);
        Assert.Equal(HttpStatusCode.OK, viaProxy.StatusCode);
        Assert.Contains("path=/tools/dashboard", viaProxy.Headers.GetValues("Set-Cookie").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_dashboard_settings_stop_the_start_with_a_clear_message()
    {
        var path = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync("--Dashboard:PathBase=ops/"));
        Assert.Contains("Dashboard:PathBase", path.Message, StringComparison.Ordinal);
        var password = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync("--Dashboard:Users:bob=short"));
        Assert.Contains("12 characters", password.Message, StringComparison.Ordinal);
    }

    private static Task<RunningApp> StartAsync(params string[] args)
        => RunningApp.StartAsync(Silo.Program.CreateApp, [$"--Api:AdminKeys:0={AdminKey}", $"--Dashboard:Users:{User}={Password}", "--Sandbox:DemoTenant=false", .. args]);

    private static HttpClient Client(RunningApp silo) => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = silo.Address };

    private static AuthenticationHeaderValue Basic(string user, string password)
        => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string path, AuthenticationHeaderValue authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = authorization;
        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }
}
