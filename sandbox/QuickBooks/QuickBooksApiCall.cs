using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansSync.Sandbox.QuickBooks;

/// <summary>
/// What happens to every Accounting API request before and after its operation, in the order the real service does
/// it: injected faults, the bearer token (401 in Intuit's lowercase shape when expired or unknown), the company's
/// limits (429), then — holding the company's lock — a repeated <c>requestid</c> answered with the first answer, or
/// the operation itself; its changes are announced by webhook afterwards.
/// </summary>
internal static class QuickBooksApiCall
{
    public static Task<IResult> ExecuteAsync(HttpContext http, QuickBooksSandbox sandbox, string realmId, Func<SandboxRealm, Outcome> operation)
        => ExecuteAsync(http, sandbox, realmId, readBody: false, (realm, _) => operation(realm));

    /// <summary>An operation on the request's JSON body, read once the caller is let in.</summary>
    public static Task<IResult> ExecuteWithBodyAsync(HttpContext http, QuickBooksSandbox sandbox, string realmId, Func<SandboxRealm, JsonObject, Outcome> operation)
        => ExecuteAsync(http, sandbox, realmId, readBody: true, (realm, body) => operation(realm, body!));

    private static async Task<IResult> ExecuteAsync(HttpContext http, QuickBooksSandbox sandbox, string realmId, bool readBody, Func<SandboxRealm, JsonObject?, Outcome> operation)
    {
        var fault = await sandbox.Faults.BeforeRequestAsync(() => Answer(SandboxFault.ServerError(), sandbox.Clock.GetUtcNow()), http.RequestAborted);
        if (fault is not null)
            return fault;

        if (Authenticate(http, sandbox, realmId, out var holder) is { } refused)
            return refused;
        var budget = $"{realmId}/{holder}"; // Intuit's limits are per company and app
        var realm = sandbox.FindRealm(realmId);
        if (realm is null)
            return Answer(new SandboxFault(403, "SERVICE", "3100", "message=AuthorizationFailed; errorCode=003100; statusCode=403", $"Company {realmId} is not connected to this app."), sandbox.Clock.GetUtcNow());

        if (!sandbox.InFlight.TryEnter(budget))
            return Throttled(realm, "10 requests are already in flight for this company");
        try
        {
            if (!sandbox.PerSecond.TryAcquire(budget, out _, out _))
                return Throttled(realm, $"more than {sandbox.PerSecond.Limit} requests in one second");
            if (!sandbox.PerMinute.TryAcquire(budget, out _, out _))
                return Throttled(realm, $"more than {sandbox.PerMinute.Limit} requests in one minute");

            JsonObject? body = null;
            if (readBody)
            {
                try
                {
                    body = await ReadBodyAsync(http.Request);
                }
                catch (SandboxFault malformed)
                {
                    return Answer(malformed, realm.Now);
                }
            }

            var requestId = http.Request.Method == HttpMethods.Post ? http.Request.Query["requestid"].ToString() : "";
            Outcome outcome;
            lock (realm.Sync)
            {
                if (requestId.Length > 0 && realm.TryGetAnswer(requestId, out var first))
                    return Results.Content(first.Body, "application/json", Encoding.UTF8, first.Status);

                try
                {
                    outcome = operation(realm, body);
                }
                catch (SandboxFault refusal)
                {
                    outcome = new Outcome(refusal.Status, refusal.ToJson(realm.Now));
                }

                if (requestId.Length > 0 && outcome.Json is not null)
                    realm.RememberAnswer(requestId, outcome.Status, QuickBooksJson.Write(outcome.Json));
            }

            sandbox.Webhooks.Publish(outcome.Changes ?? []);
            return outcome.Bytes is not null
                ? Results.Bytes(outcome.Bytes, outcome.ContentType)
                : Results.Content(QuickBooksJson.Write(outcome.Json!), outcome.ContentType, Encoding.UTF8, outcome.Status);
        }
        finally
        {
            sandbox.InFlight.Exit(budget);
        }
    }

    /// <summary>The request body as a JSON object, or QuickBooks' answer to one that is not.</summary>
    private static async Task<JsonObject> ReadBodyAsync(HttpRequest request)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<JsonNode>(request.Body) as JsonObject ?? throw SandboxFault.Malformed("(body): a JSON object is expected");
        }
        catch (JsonException exception)
        {
            throw SandboxFault.Malformed($"(body): {exception.Message}");
        }
    }

    public static IResult Answer(SandboxFault fault, DateTimeOffset time)
        => Results.Content(QuickBooksJson.Write(fault.ToJson(time)), "application/json", Encoding.UTF8, fault.Status);

    private static IResult? Authenticate(HttpContext http, QuickBooksSandbox sandbox, string realmId, out string? holder)
    {
        holder = null;
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Unauthorized(sandbox, "Authorization header missing or not a bearer token");
        var token = header["Bearer ".Length..].Trim();
        if (token.Length is < 20 or > 4096)
            return Unauthorized(sandbox, "Malformed bearer token: too short or too long");

        (var state, var tokenRealm, var expiredFor, holder) = sandbox.Tokens.Check(token);
        return state switch
        {
            AccessTokenState.Unknown => Unauthorized(sandbox, "Token invalid"),
            AccessTokenState.Expired => Unauthorized(sandbox, string.Create(CultureInfo.InvariantCulture, $"Token expired: {(int)expiredFor.TotalMinutes} minutes ago")),
            _ when tokenRealm != realmId => Answer(new SandboxFault(403, "SERVICE", "3100", "message=AuthorizationFailed; errorCode=003100; statusCode=403", $"The token is for company {tokenRealm}, not {realmId}."), sandbox.Clock.GetUtcNow()),
            _ => null,
        };
    }

    /// <summary>Intuit's 401 body: lowercase keys and an epoch time (QUICKBOOKS-API.md §2).</summary>
    private static IResult Unauthorized(QuickBooksSandbox sandbox, string detail)
    {
        var body = new JsonObject
        {
            ["warnings"] = null,
            ["intuitObject"] = null,
            ["fault"] = new JsonObject
            {
                ["error"] = new JsonArray(new JsonObject
                {
                    ["message"] = "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    ["detail"] = detail,
                    ["code"] = "3200",
                    ["element"] = null,
                }),
                ["type"] = "AUTHENTICATION",
            },
            ["report"] = null,
            ["queryResponse"] = null,
            ["batchItemResponse"] = new JsonArray(),
            ["attachableResponse"] = new JsonArray(),
            ["syncErrorResponse"] = null,
            ["requestId"] = null,
            ["time"] = sandbox.Clock.GetUtcNow().ToUnixTimeMilliseconds(),
            ["status"] = null,
            ["cdcresponse"] = new JsonArray(),
        };
        return Results.Content(QuickBooksJson.Write(body), "application/json", Encoding.UTF8, StatusCodes.Status401Unauthorized);
    }

    /// <summary>
    /// 429 with the throttle fault (code 3001). Intuit documents no <c>Retry-After</c>, only "wait 60 seconds", so
    /// none is sent.
    /// </summary>
    private static IResult Throttled(SandboxRealm realm, string why)
        => Answer(new SandboxFault(429, "SERVICE", "3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429", $"The request limit was reached.  Try again later ({why})."), realm.Now);
}
