using OrleansSync.GrainInterfaces;
using OrleansSync.Grains.Invoices;

namespace OrleansSync.Tests.Grains;

/// <summary>F8: every combination of balance, email status, due date, void and delete, against the table users see.</summary>
public sealed class InvoiceStatusTests
{
    private static readonly DateOnly Today = new(2026, 11, 21);

    public enum Balance { Unpaid, PartlyPaid, Paid }

    public enum Due { None, Future, Today, Past }

    // The table, as HubSpot's integration describes the labels: rows are balance and email status, columns whether the
    // due date has passed. A voided invoice is Voided and a deleted one Deleted, whatever else holds.
    private static readonly Dictionary<(Balance, string), (InvoiceStatus NotPastDue, InvoiceStatus PastDue)> Table = new()
    {
        [(Balance.Unpaid, "NotSet")] = (InvoiceStatus.WaitingToBeSent, InvoiceStatus.Overdue),
        [(Balance.Unpaid, "NeedToSend")] = (InvoiceStatus.WaitingToBeSent, InvoiceStatus.Overdue),
        [(Balance.Unpaid, "EmailSent")] = (InvoiceStatus.SentToCustomer, InvoiceStatus.Overdue),
        [(Balance.PartlyPaid, "NotSet")] = (InvoiceStatus.PartialPayment, InvoiceStatus.Overdue),
        [(Balance.PartlyPaid, "NeedToSend")] = (InvoiceStatus.PartialPayment, InvoiceStatus.Overdue),
        [(Balance.PartlyPaid, "EmailSent")] = (InvoiceStatus.PartialPayment, InvoiceStatus.Overdue),
        [(Balance.Paid, "NotSet")] = (InvoiceStatus.PaidInFull, InvoiceStatus.PaidInFull),
        [(Balance.Paid, "NeedToSend")] = (InvoiceStatus.PaidInFull, InvoiceStatus.PaidInFull),
        [(Balance.Paid, "EmailSent")] = (InvoiceStatus.PaidInFull, InvoiceStatus.PaidInFull),
    };

    public static TheoryData<Balance, string, Due, bool, bool> Combinations()
    {
        var data = new TheoryData<Balance, string, Due, bool, bool>();
        foreach (var balance in Enum.GetValues<Balance>())
            foreach (var email in new[] { "NotSet", "NeedToSend", "EmailSent" })
                foreach (var due in Enum.GetValues<Due>())
                    foreach (var voided in new[] { false, true })
                        foreach (var deleted in new[] { false, true })
                            data.Add(balance, email, due, voided, deleted);
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Status_follows_the_table(Balance balance, string emailStatus, Due due, bool voided, bool deleted)
    {
        var invoice = Invoice(balance, emailStatus, due, voided, deleted);

        var expected = deleted ? InvoiceStatus.Deleted
            : voided ? InvoiceStatus.Voided
            : due == Due.Past ? Table[(balance, emailStatus)].PastDue
            : Table[(balance, emailStatus)].NotPastDue;
        Assert.Equal(expected, InvoiceStatusRules.Derive(invoice, Today));
    }

    [Fact]
    public void Overdue_starts_the_day_after_the_due_date_in_the_company_time_zone()
    {
        var invoice = Invoice(Balance.Unpaid, "EmailSent", Due.Today, voided: false, deleted: false) with { LastUpdated = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.FromHours(-8)) };

        var overdueAt = InvoiceStatusRules.OverdueAt(invoice);

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.FromHours(-8)), overdueAt);
        // 07:59 UTC on the 22nd is still the 21st in California: not overdue yet; at 08:00 UTC it is.
        var justBefore = new DateTimeOffset(2026, 11, 22, 7, 59, 0, TimeSpan.Zero);
        Assert.Equal(InvoiceStatus.SentToCustomer, InvoiceStatusRules.Derive(invoice, InvoiceStatusRules.CompanyToday(invoice, justBefore)));
        Assert.Equal(InvoiceStatus.Overdue, InvoiceStatusRules.Derive(invoice, InvoiceStatusRules.CompanyToday(invoice, justBefore.AddMinutes(1))));
    }

    [Fact]
    public void Nothing_but_a_due_date_passing_with_a_balance_left_sets_the_overdue_reminder()
    {
        Assert.NotNull(InvoiceStatusRules.OverdueAt(Invoice(Balance.PartlyPaid, "EmailSent", Due.Future, voided: false, deleted: false)));
        Assert.Null(InvoiceStatusRules.OverdueAt(Invoice(Balance.Paid, "EmailSent", Due.Future, voided: false, deleted: false)));
        Assert.Null(InvoiceStatusRules.OverdueAt(Invoice(Balance.Unpaid, "EmailSent", Due.Future, voided: true, deleted: false)));
        Assert.Null(InvoiceStatusRules.OverdueAt(Invoice(Balance.Unpaid, "EmailSent", Due.Future, voided: false, deleted: true)));
        Assert.Null(InvoiceStatusRules.OverdueAt(Invoice(Balance.Unpaid, "EmailSent", Due.None, voided: false, deleted: false)));
    }

    private static InvoiceSnapshot Invoice(Balance balance, string emailStatus, Due due, bool voided, bool deleted) => new(
        RealmId: "1",
        InvoiceId: "7",
        DocNumber: "1007",
        CustomerId: "1",
        CustomerName: "Ada Lovelace",
        BillEmail: null,
        Currency: "USD",
        TotalAmt: voided ? 0 : 100,
        Balance: voided ? 0 : balance switch { Balance.Unpaid => 100, Balance.PartlyPaid => 40, _ => 0 },
        TxnDate: Today.AddDays(-30),
        DueDate: due switch { Due.None => null, Due.Future => Today.AddDays(5), Due.Today => Today, _ => Today.AddDays(-1) },
        EmailStatus: emailStatus,
        Voided: voided,
        Deleted: deleted,
        SyncToken: "0",
        LastUpdated: new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
}
