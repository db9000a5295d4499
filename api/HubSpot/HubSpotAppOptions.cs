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

/// <summary>The record card (F12) and its actions. Configuration section <c>CrmCards</c>.</summary>
public sealed class CrmCardOptions
{
    public const string SectionName = "CrmCards";

    /// <summary>HubSpot gives a card 5 seconds; grain calls slower than this are left out of the answer.</summary>
    public TimeSpan AnswerWithin { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long the link of "Add existing invoice" works after the card was shown (the iframe is not signed).</summary>
    public TimeSpan ActionLinkLifetime { get; set; } = TimeSpan.FromMinutes(30);

    internal string? Invalid()
    {
        if (AnswerWithin <= TimeSpan.Zero || AnswerWithin >= TimeSpan.FromSeconds(5))
            return "CrmCards:AnswerWithin must be above 0 and below the 5 seconds HubSpot waits for a card.";
        return ActionLinkLifetime < TimeSpan.FromMinutes(1) || ActionLinkLifetime > TimeSpan.FromHours(12)
            ? "CrmCards:ActionLinkLifetime must be between a minute and 12 hours."
            : null;
    }
}
