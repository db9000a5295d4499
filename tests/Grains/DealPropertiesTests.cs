using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Deals;

namespace OrleansSync.Tests.Grains;

/// <summary>F9: the deal is written only where a value actually changes.</summary>
public sealed class DealPropertiesTests
{
    private static readonly DealInvoiceProperties Sent = new("120.00", "Ada Lovelace", "1004", "sent_to_customer", "2026-12-20");

    [Fact]
    public void At_first_every_property_with_a_value_is_written()
        => Assert.Equal(5, DealProperties.Changed(null, Sent).Count);

    [Fact]
    public void Afterwards_only_what_changed_is_written()
    {
        var paid = Sent with { Status = "paid_in_full" };

        Assert.Empty(DealProperties.Changed(Sent, Sent));
        Assert.Equal(new Dictionary<string, string?> { [DealProperties.Status] = "paid_in_full" }, DealProperties.Changed(Sent, paid));
    }

    [Fact]
    public void Clearing_writes_empty_values_and_only_once()
    {
        var cleared = DealProperties.Changed(Sent, DealProperties.Cleared);

        Assert.Equal(5, cleared.Count);
        Assert.All(cleared.Values, value => Assert.Equal("", value));
        Assert.Empty(DealProperties.Changed(DealProperties.Cleared, DealProperties.Cleared));
        Assert.Empty(DealProperties.Changed(null, DealProperties.Cleared));
    }

    [Fact]
    public void The_status_property_offers_every_status_with_the_labels_users_know()
    {
        var status = DealProperties.Definitions.Single(d => d.Name == DealProperties.Status);
        Assert.Equal(["Waiting to be sent", "Sent to customer", "Partial payment", "Paid in full", "Overdue", "Voided", "Deleted"], status.Options!.Select(o => o.Label));
        Assert.All(DealProperties.Definitions, d => Assert.Equal(DealProperties.GroupName, d.GroupName));
    }
}
