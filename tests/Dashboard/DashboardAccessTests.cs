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
    public async Task The_page_and_its_files_are_served_without_credentials_but_the_api_is_not()
    {
        await using var silo = await StartAsync();
        using var http = Client(silo);

        var page = await http.GetAsync("dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("id=\"signin-form\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("dashboard/assets/dashboard.css")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("dashboard/assets/dashboard.js")).StatusCode);

        foreach (var path in new[] { "dashboard/api/overview", "dashboard/api/inbox", "dashboard/api/tenants", "dashboard/api/live" })
        {
            var refused = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.DoesNotContain("silos", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync("dashboard/api/inbox/dead-letters/3.7/replay", null)).StatusCode);
    }

    [Fact]
    public async Task Without_credentials_a_browser_is_asked_for_them_and_a_wrong_key_is_refused()
    {
        await using var silo = await StartAsync();
        using var http = Client(silo);

        var anonymous = await http.GetAsync("dashboard/api/overview");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic realm=\"OrleansSync dashboard\"", anonymous.Headers.WwwAuthenticate.ToString());
        var problem = await ProblemAsync(anonymous);
        Assert.Equal(["key", "basic"], problem.GetProperty("signInWith").EnumerateArray().Select(w => w.GetString()));

        var wrongKey = await SendAsync(http, "dashboard/api/overview", new AuthenticationHeaderValue("Bearer", "dashboard-admin-key-9876543210"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Contains("not valid", (await ProblemAsync(wrongKey)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("dashboard/api/overview?key=dashboard-admin-key-9876543210")).StatusCode);

        var wrongPassword = await SendAsync(http, "dashboard/api/overview", Basic(User, "not the password"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.StartsWith("Basic", wrongPassword.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        // An operator's link with a wrong key: the page, which says so, with 401 — and nothing to come back with.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = silo.Address };
        var link = await browser.GetAsync("dashboard/?key=dashboard-admin-key-9876543210");
        Assert.Equal(HttpStatusCode.Unauthorized, link.StatusCode);
        Assert.Equal("text/html", link.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer error=\"invalid_token\"", link.Headers.WwwAuthenticate.ToString());
        Assert.Empty(cookies.GetAllCookies());
    }

    [Fact]
    public async Task Requests_from_the_page_are_never_asked_for_basic_credentials()
    {
        await using var silo = await StartAsync();
        using var http = Client(silo);

        // The page's fetches carry its mark; its live stream (an EventSource) asks for text/event-stream.
        using var fetch = new HttpRequestMessage(HttpMethod.Get, "dashboard/api/overview");
        fetch.Headers.Add("X-Requested-With", "OrleansSync-Dashboard");
        var refused = await http.SendAsync(fetch);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.ToString());
        Assert.Equal(["key", "basic"], (await ProblemAsync(refused)).GetProperty("signInWith").EnumerateArray().Select(w => w.GetString()));

        using var wrongPassword = new HttpRequestMessage(HttpMethod.Get, "dashboard/api/tenants");
        wrongPassword.Headers.Add("X-Requested-With", "OrleansSync-Dashboard");
        wrongPassword.Headers.Authorization = Basic(User, "not the password");
        var refusedPassword = await http.SendAsync(wrongPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, refusedPassword.StatusCode);
        Assert.DoesNotContain("Basic", refusedPassword.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var stream = new HttpRequestMessage(HttpMethod.Get, "dashboard/api/live");
        stream.Headers.Accept.ParseAdd("text/event-stream");
        var refusedStream = await http.SendAsync(stream);
        Assert.Equal(HttpStatusCode.Unauthorized, refusedStream.StatusCode);
        Assert.DoesNotContain("Basic", refusedStream.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        // Nor is the sign-in form's own refusal.
        var wrongKey = await http.PostAsync("dashboard/api/session", Json(new { key = "dashboard-admin-key-9876543210" }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.DoesNotContain("Basic", wrongKey.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_in_with_a_key_sets_the_cookie_the_api_then_accepts_and_signing_out_clears_it()
    {
        await using var silo = await StartAsync();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = silo.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("dashboard/api/overview")).StatusCode);

        var signedIn = await browser.PostAsync("dashboard/api/session", Json(new { key = AdminKey }));
        Assert.Equal(HttpStatusCode.NoContent, signedIn.StatusCode);
        var setCookie = signedIn.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/dashboard", setCookie, StringComparison.Ordinal);
        var cookie = Assert.Single(cookies.GetCookies(new Uri(silo.Address, "dashboard/api/")));
        Assert.Equal("orleanssync-dashboard", cookie.Name);
        Assert.True(cookie.HttpOnly);
        Assert.DoesNotContain(AdminKey, cookie.Value, StringComparison.Ordinal);

        Assert.Equal("key", (await JsonAsync(await browser.GetAsync("dashboard/api/overview"))).GetProperty("auth").GetProperty("mode").GetString());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("dashboard/api/inbox")).StatusCode);

        var signedOut = await browser.DeleteAsync("dashboard/api/session");
        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        Assert.Empty(cookies.GetCookies(new Uri(silo.Address, "dashboard/api/")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("dashboard/api/overview")).StatusCode);
    }

    [Fact]
    public async Task A_dashboard_user_signs_in_with_name_and_password()
    {
        await using var silo = await StartAsync();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = silo.Address };

        Assert.Equal(HttpStatusCode.NoContent, (await browser.PostAsync("dashboard/api/session", Json(new { user = User, password = Password }))).StatusCode);

        var auth = (await JsonAsync(await browser.GetAsync("dashboard/api/overview"))).GetProperty("auth");
        Assert.Equal(("basic", User), (auth.GetProperty("mode").GetString(), auth.GetProperty("user").GetString()));
    }

    [Fact]
    public async Task A_wrong_key_or_password_at_sign_in_is_refused_with_a_problem_and_no_cookie()
    {
        await using var silo = await StartAsync();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = silo.Address };

        var wrongKey = await browser.PostAsync("dashboard/api/session", Json(new { key = "dashboard-admin-key-9876543210" }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.StartsWith("That key was not accepted", (await ProblemAsync(wrongKey)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(wrongKey.Headers.Contains("Set-Cookie"));

        var wrongPassword = await browser.PostAsync("dashboard/api/session", Json(new { user = User, password = "not the password" }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal("That user name and password were not accepted.", (await ProblemAsync(wrongPassword)).GetProperty("detail").GetString());
        var unknownUser = await browser.PostAsync("dashboard/api/session", Json(new { user = "mallory", password = Password }));
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.StatusCode);

        Assert.Empty(cookies.GetAllCookies());
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("dashboard/api/overview")).StatusCode);
    }

    [Fact]
    public async Task A_malformed_sign_in_is_a_bad_request()
    {
        await using var silo = await StartAsync();
        using var http = Client(silo);

        foreach (var body in new[] { "{not json", "{}", "null", $"{{\"key\":\"{AdminKey}\",\"user\":\"{User}\",\"password\":\"{Password}\"}}", "{\"user\":\"grace\"}", "{\"key\":42}" })
        {
            var refused = await http.PostAsync("dashboard/api/session", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)refused.StatusCode}");
            Assert.False(string.IsNullOrEmpty((await ProblemAsync(refused)).GetProperty("detail").GetString()));
            Assert.False(refused.Headers.Contains("Set-Cookie"));
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("dashboard/api/session", new StringContent("", Encoding.UTF8, "application/json"))).StatusCode);
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

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

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
