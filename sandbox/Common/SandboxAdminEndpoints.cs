using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansSync.Sandbox.Common;

/// <summary>What is common to both services: the clock, and the log of webhooks sent.</summary>
public static class SandboxAdminEndpoints
{
    public sealed record ClockView(DateTimeOffset Now, TimeSpan Offset);

    /// <summary>How far to move the clock: any of days, hours and minutes.</summary>
    public sealed record ClockAdvance(double? Days, double? Hours, double? Minutes);

    public static RouteGroupBuilder MapSandboxAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/clock", (SandboxClock clock) => new ClockView(clock.GetUtcNow(), clock.Offset));
        admin.MapPost("/clock/advance", Advance);
        admin.MapGet("/webhooks", (WebhookSender sender, string? api) => new WebhookLog(sender.Pending, sender.Log.Where(a => api is null || a.Api == api).ToList()));
        return admin;
    }

    public sealed record WebhookLog(int Pending, IReadOnlyList<WebhookAttempt> Attempts);

    private static Results<Ok<ClockView>, ProblemHttpResult> Advance(SandboxClock clock, ClockAdvance advance)
    {
        var by = TimeSpan.FromDays(advance.Days ?? 0) + TimeSpan.FromHours(advance.Hours ?? 0) + TimeSpan.FromMinutes(advance.Minutes ?? 0);
        if (by <= TimeSpan.Zero || by > TimeSpan.FromDays(3650))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad clock move", detail: "Give days, hours or minutes adding up to more than zero (and less than ten years); the clock only moves forward.");
        clock.Advance(by);
        return TypedResults.Ok(new ClockView(clock.GetUtcNow(), clock.Offset));
    }
}
