using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using OrleansSync.Runtime.Reminders;

namespace OrleansSync.Dashboard.Api;

/// <summary>
/// <c>GET /dashboard/api/reminders?filter=all|late|dueSoon&amp;skip=0&amp;take=50</c>: how many reminders, how many late
/// and due soon, and one page in due order — counted and paged where the reminders are kept (PostgreSQL, through its
/// due-time index), never read whole, which is what the Orleans Dashboard's users complain of.
/// </summary>
internal static class ReminderEndpoints
{
    private const int MaxPage = 500;

    public static RouteGroupBuilder MapReminderEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/reminders", ListAsync);
        return api;
    }

    private static async Task<IResult> ListAsync(IReminderTable table, IOptions<DashboardOptions> options, TimeProvider time, string? filter, string? skip, string? take, CancellationToken cancellationToken)
    {
        ReminderFilter? which = (filter ?? "all").ToLowerInvariant() switch
        {
            "all" => ReminderFilter.All,
            "late" => ReminderFilter.Late,
            "duesoon" => ReminderFilter.DueSoon,
            _ => null,
        };
        if (which is null)
            return DashboardApi.BadRequest("Bad filter", $"filter is all, late or dueSoon, not '{filter}'.");
        if (!DashboardApi.TryInt(skip, 0, 0, int.MaxValue, out var from) || !DashboardApi.TryInt(take, 50, 1, MaxPage, out var count))
            return DashboardApi.BadRequest("Bad page", $"skip is 0 or more and take from 1 to {MaxPage}.");

        var now = time.GetUtcNow();
        var lateBefore = now - options.Value.ReminderLateAfter;
        var soonBefore = now + options.Value.ReminderDueSoonWithin;
        var counts = await table.CountAsync(lateBefore, soonBefore, cancellationToken);
        var page = await table.ReadPageAsync(new ReminderPage(which.Value, lateBefore, soonBefore, from, count), cancellationToken);
        return Results.Ok(new Reminders(
            counts.Total,
            counts.Late,
            counts.DueSoon,
            page.Select(r => new ReminderRow(r.GrainId.Key, r.GrainId.Type.Value, r.Name, r.NextDue, r.Period, r.Partition, r.NextDue < lateBefore)).ToList()));
    }
}
