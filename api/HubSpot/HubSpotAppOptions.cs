namespace OrleansSync.Api.HubSpot;

/// <summary>The workflow action "Create QuickBooks invoice" (F14). Configuration section <c>WorkflowActions</c>.</summary>
public sealed class WorkflowActionOptions
{
    public const string SectionName = "WorkflowActions";

    /// <summary>
    /// How long an execution may take before it is answered with BLOCK and finished in the background, completed later
    /// through HubSpot's callback endpoint. HubSpot's own timeout for the action URL is not documented; 4 seconds stays
    /// under the 5 seconds it gives webhooks and cards.
    /// </summary>
    public TimeSpan AnswerWithin { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>How long HubSpot holds a blocked workflow for its completion (<c>hs_expiration_duration</c>).</summary>
    public TimeSpan BlockExpiration { get; set; } = TimeSpan.FromDays(1);

    internal string? Invalid()
    {
        if (AnswerWithin <= TimeSpan.Zero || AnswerWithin > TimeSpan.FromSeconds(30))
            return "WorkflowActions:AnswerWithin must be above 0 and at most 30 seconds.";
        return BlockExpiration < TimeSpan.FromMinutes(1) || BlockExpiration > TimeSpan.FromDays(7)
            ? "WorkflowActions:BlockExpiration must be between a minute and 7 days (HubSpot's default is a week)."
            : null;
    }
}
