using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansSync.Clients.QuickBooks;
using OrleansSync.Sandbox.QuickBooks.Query;

namespace OrleansSync.Tests.Sandbox;

/// <summary>The sandbox's QuickBooks query language (../shared/docs/QUICKBOOKS-API.md §6): parsing, evaluation, responses and faults.</summary>
public sealed class QuickBooksQueryLanguageTests
{
    private static readonly DateOnly Today = new(2026, 11, 21);

    // Deliberately out of Id order, so that the default order is visible.
    private static readonly IReadOnlyList<JsonObject> Invoices =
    [
        Entity("""{"Id":"10","DocNumber":"9","TxnDate":"2026-10-30","DueDate":"2026-11-29","TotalAmt":40,"Balance":40,"CustomerRef":{"value":"10","name":"Tim Berners-Lee"},"EmailStatus":"EmailSent","CurrencyRef":{"value":"USD"},"MetaData":{"CreateTime":"2026-10-30T12:00:00+01:00","LastUpdatedTime":"2026-10-30T12:00:00+01:00"}}"""),
        Entity("""{"Id":"2","DocNumber":"1002","TxnDate":"2026-11-15","DueDate":"2026-12-15","TotalAmt":1000,"Balance":0,"CustomerRef":{"value":"2","name":"Grace Hopper"},"EmailStatus":"EmailSent","CurrencyRef":{"value":"USD"},"MetaData":{"CreateTime":"2026-11-15T10:00:00-08:00","LastUpdatedTime":"2026-11-21T16:00:00Z"}}"""),
        Entity("""{"Id":"12","DocNumber":"10","TxnDate":"2026-11-22","DueDate":"2026-12-22","TotalAmt":300,"Balance":300,"CustomerRef":{"value":"2","name":"Grace Hopper"},"EmailStatus":"NotSet","CurrencyRef":{"value":"USD"},"MetaData":{"CreateTime":"2026-11-22T06:00:00+09:00","LastUpdatedTime":"2026-11-22T06:00:00+09:00"}}"""),
        Entity("""{"Id":"1","DocNumber":"1001","TxnDate":"2026-11-01","DueDate":"2026-12-01","TotalAmt":250.00,"Balance":250.00,"CustomerRef":{"value":"1","name":"Ada Lovelace"},"EmailStatus":"NotSet","CurrencyRef":{"value":"USD"},"MetaData":{"CreateTime":"2026-11-01T09:00:00-08:00","LastUpdatedTime":"2026-11-21T09:00:00-08:00"}}"""),
        // No DueDate.
        Entity("""{"Id":"3","DocNumber":"1003","TxnDate":"2026-11-21","TotalAmt":99.5,"Balance":99.5,"CustomerRef":{"value":"1","name":"Ada Lovelace"},"EmailStatus":"NeedToSend","CurrencyRef":{"value":"USD"},"MetaData":{"CreateTime":"2026-11-21T23:30:00-08:00","LastUpdatedTime":"2026-11-21T23:30:00-08:00"}}"""),
    ];

    private const string QuotedName = "O'Brien & Sons";

    // Ends with a backslash: unescaped, it would swallow the closing quote.
    private const string BackslashName = @"Back\slash Trading\";

    private static readonly IReadOnlyList<JsonObject> Customers =
    [
        Entity("""{"Id":"1","DisplayName":"Ada Lovelace","PrimaryEmailAddr":{"Address":"ada@analytical.example"},"PrimaryPhone":{"FreeFormNumber":"(555) 010-0001"},"Balance":1000,"Active":true,"MetaData":{"CreateTime":"2026-11-01T09:00:00-08:00","LastUpdatedTime":"2026-11-01T09:00:00-08:00"}}"""),
        Entity("""{"Id":"2","DisplayName":"Grace Hopper","PrimaryEmailAddr":{"Address":"grace@cobol.example"},"Balance":99.5,"Active":true}"""),
        new JsonObject { ["Id"] = "3", ["DisplayName"] = QuotedName, ["Balance"] = 0, ["Active"] = true },
        new JsonObject { ["Id"] = "4", ["DisplayName"] = BackslashName, ["Balance"] = 0, ["Active"] = true },
        Entity("""{"Id":"5","DisplayName":"Margaret Hamilton","PrimaryEmailAddr":{"Address":"margaret@apollo.example"},"Balance":50,"Active":false}"""),
        // No email.
        Entity("""{"Id":"10","DisplayName":"Tim Berners-Lee","Balance":0,"Active":true}"""),
    ];

    private static readonly IReadOnlyList<JsonObject> Items =
    [
        Entity("""{"Id":"1","Name":"Consulting hour","Type":"Service","UnitPrice":150,"Active":true}"""),
        Entity("""{"Id":"2","Name":"Discontinued widget","Type":"NonInventory","UnitPrice":5,"Active":false}"""),
    ];

    private static readonly IReadOnlyList<JsonObject> Terms =
    [
        Entity("""{"Id":"1","Name":"Net 30","DueDays":30,"Active":true}"""),
        Entity("""{"Id":"2","Name":"Net 90","DueDays":90,"Active":false}"""),
    ];

    // Parsing

    [Fact]
    public void Parse_reads_every_clause()
    {
        var query = QueryParser.Parse(
            "SELECT * FROM Invoice WHERE Balance > '0' AND CustomerRef IN ('1', '2') AND DocNumber LIKE '10%' AND MetaData.LastUpdatedTime >= '2026-11-01' "
            + "ORDERBY TxnDate DESC, DocNumber STARTPOSITION 11 MAXRESULTS 10");

        Assert.Equal("Invoice", query.Entity);
        Assert.False(query.IsCount);
        Assert.Equal(
            [
                ("Balance", QueryOperator.GreaterThan, 1),
                ("CustomerRef", QueryOperator.In, 2),
                ("DocNumber", QueryOperator.Like, 1),
                ("MetaData.LastUpdatedTime", QueryOperator.GreaterThanOrEqual, 1),
            ],
            query.Conditions.Select(c => (c.Property.Text, c.Operator, c.Values.Count)));
        Assert.Equal(["MetaData", "LastUpdatedTime"], query.Conditions[3].Property.Segments);
        Assert.Equal([new QueryValue.Text("1"), new QueryValue.Text("2")], query.Conditions[1].Values);
        Assert.Equal([("TxnDate", true), ("DocNumber", false)], query.OrderBy.Select(o => (o.Property.Text, o.Descending)));
        Assert.Equal(11, query.StartPosition);
        Assert.Equal(10, query.MaxResults);
    }

    [Fact]
    public void Parse_defaults_to_the_first_page_of_100()
    {
        var query = QueryParser.Parse("SELECT * FROM Invoice");

        Assert.Equal(1, query.StartPosition);
        Assert.Equal(100, query.MaxResults);
        Assert.Empty(query.Conditions);
        Assert.Empty(query.OrderBy);
    }

    [Fact]
    public void Parse_reads_strings_numbers_booleans_and_CURRENT_DATE()
    {
        var query = QueryParser.Parse("select * from Invoice where DocNumber = '1001' and Balance = 12.50 and Balance > -3 and Active = true and Active = FALSE and TxnDate <= current_date");

        Assert.Equal(
            [
                new QueryValue.Text("1001"),
                new QueryValue.Number(12.50m, "12.50"),
                new QueryValue.Number(-3m, "-3"),
                new QueryValue.Boolean(true),
                new QueryValue.Boolean(false),
                new QueryValue.CurrentDate(),
            ],
            query.Conditions.Select(c => c.Value));
    }

    [Fact]
    public void Parse_reads_count()
    {
        var query = QueryParser.Parse("SELECT COUNT(*) FROM Customer WHERE Active = true");

        Assert.True(query.IsCount);
        Assert.Equal("Customer", query.Entity);
    }

    [Fact]
    public void Order_By_written_as_two_words_sorts_like_ORDERBY()
        => Assert.Equal(
            InvoiceIds("SELECT * FROM Invoice ORDERBY TxnDate DESC"),
            InvoiceIds("select * from Invoice Order By TxnDate desc"));

    [Fact]
    public void Keywords_entity_and_property_names_are_case_insensitive()
    {
        var lower = Run("select * from invoice where metadata.lastupdatedtime > '2026-11-21T16:30:00Z' and customerref = '1' orderby txndate desc startposition 1 maxresults 5");

        Assert.Equal("Invoice", lower.Entity);
        Assert.Equal(["3", "1"], Ids(lower));
    }

    [Fact]
    public void Every_query_the_client_builds_is_accepted()
    {
        QuickBooksQuery[] queries =
        [
            QuickBooksQuery.From("Invoice"),
            QuickBooksQuery.From("Invoice").Count(),
            QuickBooksQuery.From("Invoice").Where("DocNumber", "=", "1001"),
            QuickBooksQuery.From("Invoice").Where("TotalAmt", "<", 250m),
            QuickBooksQuery.From("Invoice").Where("TotalAmt", ">", 250),
            QuickBooksQuery.From("Invoice").Where("TotalAmt", "<=", 99.5),
            QuickBooksQuery.From("Invoice").Where("TotalAmt", ">=", 300L),
            QuickBooksQuery.From("Invoice").Where("DocNumber", "like", "10%"),
            QuickBooksQuery.From("Invoice").Where("TxnDate", "<=", new DateOnly(2026, 11, 21)),
            QuickBooksQuery.From("Invoice").Where("MetaData.LastUpdatedTime", ">", new DateTimeOffset(2026, 11, 21, 8, 30, 0, TimeSpan.FromHours(-8))),
            QuickBooksQuery.From("Invoice").Where("MetaData.LastUpdatedTime", ">", new DateTime(2026, 11, 21, 16, 30, 0, DateTimeKind.Utc)),
            QuickBooksQuery.From("Customer").Where("Active", "=", false),
            QuickBooksQuery.From("Customer").WhereIn("Id", ["1", "2"]),
            QuickBooksQuery.From("Customer").WhereIn("Active", [true, false]),
            QuickBooksQuery.From("Invoice").OrderBy("MetaData.LastUpdatedTime", descending: true).Page(2, 2),
            QuickBooksQuery.From("Invoice").Where("Balance", ">", 0).Where("CustomerRef", "=", "2").OrderBy("TxnDate").Page(1, 1000).Count(),
        ];

        foreach (var query in queries)
        {
            var text = query.ToString();
            var exception = Record.Exception(() => Run(text));
            Assert.True(exception is null, $"{text} was refused: {exception?.Message}");
        }
    }

    [Fact]
    public void Dates_and_times_from_the_client_keep_their_instant()
    {
        var moment = new DateTimeOffset(2026, 11, 21, 8, 30, 0, TimeSpan.FromHours(-8));

        var ids = Ids(Run(QuickBooksQuery.From("Invoice").Where("MetaData.LastUpdatedTime", ">", moment).ToString()));

        // 16:30Z: invoice 2 (16:00Z) is before it; 1 (17:00Z), 12 (21:00Z) and 3 (07:30Z the next day) after.
        Assert.Equal(["1", "3", "12"], ids);
    }

    [Fact]
    public void A_name_with_a_quote_round_trips_through_the_client_query()
    {
        var text = QuickBooksQuery.From("Customer").Where("DisplayName", "=", QuotedName).ToString();

        Assert.Equal(new QueryValue.Text(QuotedName), QueryParser.Parse(text).Conditions[0].Value);
        Assert.Equal(["3"], Ids(Run(text)));
    }

    [Fact]
    public void A_name_ending_in_a_backslash_round_trips_through_the_client_query()
    {
        var text = QuickBooksQuery.From("Customer").Where("DisplayName", "=", BackslashName).Where("Active", "=", true).ToString();

        var query = QueryParser.Parse(text);

        Assert.Equal(new QueryValue.Text(BackslashName), query.Conditions[0].Value);
        Assert.Equal(2, query.Conditions.Count);
        Assert.Equal(["4"], Ids(Run(text)));
    }

    [Fact]
    public void A_backslash_followed_by_a_quote_in_a_name_round_trips_through_the_client_query()
    {
        const string name = @"It\'s odd";
        var text = QuickBooksQuery.From("Customer").Where("DisplayName", "=", name).ToString();

        Assert.Equal(new QueryValue.Text(name), QueryParser.Parse(text).Conditions[0].Value);
    }

    [Fact]
    public void A_backslash_before_any_other_character_is_kept()
        => Assert.Equal(new QueryValue.Text(@"C:\Temp"), QueryParser.Parse(@"SELECT * FROM Customer WHERE DisplayName = 'C:\Temp'").Conditions[0].Value);

    // Operators

    [Theory]
    [InlineData("TotalAmt = 250", new[] { "1" })]
    [InlineData("TotalAmt < 250", new[] { "3", "10" })]
    [InlineData("TotalAmt > 250", new[] { "2", "12" })]
    [InlineData("TotalAmt <= 250", new[] { "1", "3", "10" })]
    [InlineData("TotalAmt >= 300", new[] { "2", "12" })]
    [InlineData("TotalAmt > '100'", new[] { "1", "2", "12" })]
    [InlineData("TotalAmt < '1000.0'", new[] { "1", "3", "10", "12" })]
    public void Comparison_operators_compare_numbers_as_numbers(string condition, string[] expected)
        => Assert.Equal(expected, InvoiceIds($"SELECT * FROM Invoice WHERE {condition}"));

    [Fact]
    public void Text_that_looks_like_a_number_compares_as_text()
        // DocNumbers are strings: "9" sorts after "2", "10" and "1001" before it.
        => Assert.Equal(["1", "2", "3", "12"], InvoiceIds("SELECT * FROM Invoice WHERE DocNumber < '2'"));

    [Fact]
    public void Equality_on_text_ignores_case()
    {
        Assert.Equal(["1"], CustomerIds("SELECT * FROM Customer WHERE DisplayName = 'ada LOVELACE'"));
        Assert.Equal(["2", "10"], InvoiceIds("SELECT * FROM Invoice WHERE EmailStatus = 'emailsent'"));
    }

    [Fact]
    public void In_matches_any_of_its_values()
    {
        Assert.Equal(["1", "12"], InvoiceIds("SELECT * FROM Invoice WHERE Id IN ('1', '12', '99')"));
        Assert.Equal(["2", "3", "10"], InvoiceIds("SELECT * FROM Invoice WHERE EmailStatus IN ('emailsent', 'NeedToSend')"));
        Assert.Equal(["2", "10"], InvoiceIds("SELECT * FROM Invoice WHERE TotalAmt IN (40, 1000)"));
        Assert.Equal(["3"], InvoiceIds("SELECT * FROM Invoice WHERE Id IN ('3')"));
    }

    [Theory]
    [InlineData("Ada%", new[] { "1" })]
    [InlineData("%hopper", new[] { "2" })]
    [InlineData("%LOVE%", new[] { "1" })]
    [InlineData("G%e%r", new[] { "2" })]
    [InlineData("%e%e%", new[] { "1", "2", "10" })]
    [InlineData("ada lovelace", new[] { "1" })]
    [InlineData("Ada", new string[0])]
    [InlineData("A_a%", new string[0])]
    [InlineData("%", new[] { "1", "2", "3", "4", "10" })]
    public void Like_is_case_insensitive_with_percent_matching_any_run(string pattern, string[] expected)
        => Assert.Equal(expected, CustomerIds($"SELECT * FROM Customer WHERE DisplayName LIKE '{pattern}'"));

    [Fact]
    public void Like_reads_an_email_by_its_address()
        => Assert.Equal(["2"], CustomerIds("SELECT * FROM Customer WHERE PrimaryEmailAddr LIKE '%@COBOL.example'"));

    // References, emails, phones, missing properties

    [Fact]
    public void A_reference_compares_by_its_value()
    {
        Assert.Equal(["2", "12"], InvoiceIds("SELECT * FROM Invoice WHERE CustomerRef = '2'"));
        Assert.Equal(["2", "12"], InvoiceIds("SELECT * FROM Invoice WHERE CustomerRef = 2"));
        Assert.Equal(["1", "3", "10"], InvoiceIds("SELECT * FROM Invoice WHERE CustomerRef IN ('1', '10')"));
        Assert.Equal(["1", "2", "3", "10", "12"], InvoiceIds("SELECT * FROM Invoice WHERE CurrencyRef = 'usd'"));
    }

    [Fact]
    public void An_email_compares_by_its_address_ignoring_case()
        => Assert.Equal(["2"], CustomerIds("SELECT * FROM Customer WHERE PrimaryEmailAddr = 'GRACE@cobol.example'"));

    [Fact]
    public void A_phone_compares_by_its_number()
        => Assert.Equal(["1"], CustomerIds("SELECT * FROM Customer WHERE PrimaryPhone = '(555) 010-0001'"));

    [Fact]
    public void A_property_inside_a_reference_can_be_named_by_path()
        => Assert.Equal(["1", "3"], InvoiceIds("SELECT * FROM Invoice WHERE CustomerRef.name = 'Ada Lovelace'"));

    [Fact]
    public void A_missing_property_matches_no_condition()
    {
        Assert.Equal(["1", "2", "10", "12"], InvoiceIds("SELECT * FROM Invoice WHERE DueDate < '2100-01-01'"));
        Assert.Equal(["1", "2", "10", "12"], InvoiceIds("SELECT * FROM Invoice WHERE DueDate > '1900-01-01'"));
        Assert.Equal(["1", "2", "10", "12"], InvoiceIds("SELECT * FROM Invoice WHERE DueDate LIKE '%'"));
        Assert.Equal(["1", "2"], CustomerIds("SELECT * FROM Customer WHERE PrimaryEmailAddr LIKE '%'"));
    }

    // Dates

    [Fact]
    public void Dates_compare_as_dates_and_CURRENT_DATE_is_the_given_today()
    {
        const string text = "SELECT * FROM Invoice WHERE TxnDate > '2026-11-01' AND TxnDate <= CURRENT_DATE";

        Assert.Equal(["2", "3"], InvoiceIds(text));
        Assert.Equal(["2", "3", "12"], Ids(Run(text, today: new DateOnly(2026, 11, 22))));
    }

    [Fact]
    public void Date_times_compare_as_instants_whatever_their_offsets()
    {
        Assert.Equal(["1", "3", "12"], InvoiceIds("SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime > '2026-11-21T16:30:00Z'"));
        Assert.Equal(["2", "10"], InvoiceIds("SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime < '2026-11-21T17:00:00+00:00'"));
        Assert.Equal(["1"], InvoiceIds("SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime = '2026-11-21T18:00:00+01:00'"));
    }

    [Fact]
    public void A_date_against_a_date_time_compares_the_date_as_written()
    {
        // Invoice 3 was last updated at 23:30 on the 21st in California: the 22nd in UTC, but the 21st as written.
        Assert.Equal(["1", "2", "3"], InvoiceIds("SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime = '2026-11-21'"));
        Assert.Equal(["10"], InvoiceIds("SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime < '2026-11-21'"));
        Assert.Equal(["1", "10"], InvoiceIds("SELECT * FROM Invoice WHERE TxnDate < '2026-11-15T12:00:00-08:00'"));
    }

    // Booleans and inactive entities

    [Fact]
    public void Booleans_compare_with_bare_or_quoted_true_and_false()
    {
        Assert.Equal(["5"], CustomerIds("SELECT * FROM Customer WHERE Active = false"));
        Assert.Equal(["5"], CustomerIds("SELECT * FROM Customer WHERE Active = 'false'"));
        Assert.Equal(["1", "2", "3", "4", "10"], CustomerIds("SELECT * FROM Customer WHERE Active = true"));
    }

    [Fact]
    public void Inactive_customers_are_left_out_unless_Active_is_queried()
    {
        Assert.Equal(["1", "2", "3", "4", "10"], CustomerIds("SELECT * FROM Customer"));
        Assert.Equal(["1", "2", "3", "4", "5", "10"], CustomerIds("SELECT * FROM Customer WHERE Active IN (true, false)"));
        Assert.Equal(5, Run("SELECT count(*) FROM Customer").TotalCount);
        Assert.Equal(6, Run("SELECT count(*) FROM Customer WHERE Active IN (true, false)").TotalCount);
    }

    [Fact]
    public void Inactive_items_are_left_out_unless_Active_is_queried()
    {
        Assert.Equal(["1"], Ids(Run("SELECT * FROM Item")));
        Assert.Equal(["2"], Ids(Run("SELECT * FROM Item WHERE Active = false")));
    }

    [Fact]
    public void Inactive_entries_of_other_entities_are_returned()
        => Assert.Equal(["1", "2"], Ids(Run("SELECT * FROM Term")));

    // Order

    [Fact]
    public void Results_come_by_Id_as_a_number()
    {
        Assert.Equal(["1", "2", "3", "10", "12"], InvoiceIds("SELECT * FROM Invoice"));
        Assert.Equal(["12", "10", "3", "2", "1"], InvoiceIds("SELECT * FROM Invoice ORDERBY Id DESC"));
    }

    [Fact]
    public void Orderby_desc_sorts_numbers_from_largest()
        => Assert.Equal(["2", "12", "1", "3", "10"], InvoiceIds("SELECT * FROM Invoice ORDERBY TotalAmt DESC"));

    [Fact]
    public void Orderby_sorts_date_times_as_instants()
        => Assert.Equal(["10", "2", "1", "12", "3"], InvoiceIds("SELECT * FROM Invoice ORDERBY MetaData.LastUpdatedTime"));

    [Fact]
    public void Orderby_sorts_by_each_key_in_turn_then_by_Id()
    {
        Assert.Equal(["2", "10", "3", "12", "1"], InvoiceIds("SELECT * FROM Invoice ORDERBY EmailStatus, TxnDate DESC"));
        Assert.Equal(["2", "10", "3", "1", "12"], InvoiceIds("SELECT * FROM Invoice ORDERBY EmailStatus"));
        Assert.Equal(["1", "12", "3", "2", "10"], InvoiceIds("SELECT * FROM Invoice ORDERBY EmailStatus DESC"));
    }

    [Fact]
    public void Orderby_puts_missing_values_last_in_either_direction()
    {
        Assert.Equal(["10", "1", "2", "12", "3"], InvoiceIds("SELECT * FROM Invoice ORDERBY DueDate"));
        Assert.Equal(["12", "2", "1", "10", "3"], InvoiceIds("SELECT * FROM Invoice ORDERBY DueDate DESC"));
    }

    // Paging and counting

    [Fact]
    public void Startposition_and_maxresults_cut_a_page_and_the_total_counts_every_match()
    {
        var page = Run("SELECT * FROM Invoice STARTPOSITION 2 MAXRESULTS 2");

        Assert.Equal(["2", "3"], Ids(page));
        Assert.Equal(5, page.TotalCount);
        Assert.Equal(2, page.StartPosition);

        var last = Run("SELECT * FROM Invoice WHERE TotalAmt > 50 STARTPOSITION 4 MAXRESULTS 2");
        Assert.Equal(["12"], Ids(last));
        Assert.Equal(4, last.TotalCount);
    }

    [Fact]
    public void A_start_past_the_last_match_gives_an_empty_page()
    {
        var page = Run("SELECT * FROM Invoice STARTPOSITION 6 MAXRESULTS 2");

        Assert.Empty(page.Entities);
        Assert.Equal(5, page.TotalCount);
    }

    [Fact]
    public void Maxresults_of_1000_is_allowed()
        => Assert.Equal(5, Run("SELECT * FROM Invoice MAXRESULTS 1000").Entities.Count);

    [Fact]
    public void Paging_with_the_client_builder_reads_every_match_once_in_order()
    {
        var query = QuickBooksQuery.From("Invoice").Where("Balance", ">", 0).OrderBy("TxnDate", descending: true);
        List<string> seen = [];
        for (var start = 1; ; start += 2)
        {
            var page = Run(query.Page(start, 2).ToString());
            seen.AddRange(Ids(page));
            Assert.Equal(4, page.TotalCount);
            if (page.Entities.Count < 2)
                break;
        }

        Assert.Equal(["12", "3", "1", "10"], seen);
    }

    [Fact]
    public void Count_returns_only_the_number_of_matches()
    {
        var result = Run("SELECT count(*) FROM Invoice WHERE Balance > '0' MAXRESULTS 1");

        Assert.True(result.IsCount);
        Assert.Equal(4, result.TotalCount);
        Assert.Empty(result.Entities);
    }

    // Responses

    [Fact]
    public void A_page_renders_as_QueryResponse_with_its_position_size_and_total()
    {
        var result = Run("SELECT * FROM Term WHERE DueDays > 10 STARTPOSITION 2 MAXRESULTS 1");

        var body = QueryResponseBuilder.Build(result, new DateTimeOffset(2026, 11, 21, 9, 15, 30, 250, TimeSpan.FromHours(-8)));

        Assert.Equal(
            """{"QueryResponse":{"Term":[{"Id":"2","Name":"Net 90","DueDays":90,"Active":false}],"startPosition":2,"maxResults":1,"totalCount":2},"time":"2026-11-21T09:15:30.25-08:00"}""",
            Json(body));
    }

    [Fact]
    public void No_matches_render_as_an_empty_QueryResponse()
    {
        var body = QueryResponseBuilder.Build(Run("SELECT * FROM Invoice WHERE DocNumber = 'none'"), new DateTimeOffset(2026, 11, 21, 9, 15, 30, TimeSpan.FromHours(-8)));

        Assert.Equal("""{"QueryResponse":{},"time":"2026-11-21T09:15:30-08:00"}""", Json(body));
    }

    [Fact]
    public void A_count_renders_as_a_total_alone()
    {
        var body = QueryResponseBuilder.Build(Run("SELECT count(*) FROM Invoice"), new DateTimeOffset(2026, 11, 21, 17, 0, 0, 5, TimeSpan.Zero));

        Assert.Equal("""{"QueryResponse":{"totalCount":5},"time":"2026-11-21T17:00:00.005+00:00"}""", Json(body));
    }

    [Fact]
    public void Rendering_a_page_leaves_the_stored_entities_as_they_were()
    {
        var result = Run("SELECT * FROM Invoice WHERE Id = '1'");
        var time = new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

        var first = QueryResponseBuilder.Build(result, time);
        var second = QueryResponseBuilder.Build(result, time);
        first["QueryResponse"]!["Invoice"]![0]!["DocNumber"] = "changed";

        Assert.Equal("1001", (string?)Invoices.Single(i => (string?)i["Id"] == "1")["DocNumber"]);
        Assert.Equal("1001", (string?)second["QueryResponse"]!["Invoice"]![0]!["DocNumber"]);
    }

    [Fact]
    public void A_refused_query_renders_as_a_ValidationFault()
    {
        var error = Assert.Throws<QuickBooksQueryException>(() => QueryParser.Parse("SELECT * FROM Invoice WHERE Id < '5'"));

        var body = QueryResponseBuilder.Fault(error, new DateTimeOffset(2026, 11, 21, 9, 17, 31, 892, TimeSpan.FromHours(-8)));

        Assert.Equal(400, QuickBooksQueryException.HttpStatus);
        Assert.Equal(
            """{"Fault":{"Error":[{"Message":"Invalid query","Detail":"QueryValidationError: Id (column 29) can only be compared with = or IN, not with <.","code":"4001","element":""}],"type":"ValidationFault"},"time":"2026-11-21T09:17:31.892-08:00"}""",
            Json(body));
    }

    // Errors: text outside the language (4000)

    [Theory]
    [InlineData("", "Was expecting \"SELECT\". The query is empty.")]
    [InlineData("SELECT * FROM Invoice WHERE DocNumber = '1' OR DocNumber = '2'", "Encountered \"OR\" at line 1, column 45. Was expecting one of: \"AND\", \"ORDERBY\", \"STARTPOSITION\", \"MAXRESULTS\", the end of the query. OR is not supported")]
    [InlineData("SELECT *\nFROM Invoice\nWHERE DocNumber = '1' OR DocNumber = '2'", "at line 3, column 23")]
    [InlineData("SELECT Id, DisplayName FROM Customer", "Encountered \"Id\" at line 1, column 8. Was expecting one of: \"*\", \"count(*)\". Selecting properties is not supported")]
    [InlineData("SELECT *, Id FROM Customer", "Was expecting \"FROM\". Selecting properties is not supported")]
    [InlineData("SELECT count(Id) FROM Customer", "write count(*)")]
    [InlineData("SELECT * Invoice", "Encountered \"Invoice\" at line 1, column 10. Was expecting \"FROM\".")]
    [InlineData("SELECT * FROM WHERE Id = '1'", "Was expecting an entity name")]
    [InlineData("SELECT * FROM Invoice, Customer", "A query reads a single entity")]
    [InlineData("SELECT * FROM Invoice GROUP BY CustomerRef", "GROUP BY is not supported")]
    [InlineData("SELECT * FROM Invoice JOIN Customer ON Invoice.CustomerRef = Customer.Id", "JOIN is not supported")]
    [InlineData("SELECT * FROM Invoice WHERE", "Encountered the end of the query at line 1, column 28. Was expecting a property name")]
    [InlineData("SELECT * FROM Invoice WHERE MetaData. = '1'", "after the dot")]
    [InlineData("SELECT * FROM Customer WHERE DisplayName = 'Ada", "never closed")]
    [InlineData("SELECT * FROM Customer WHERE DisplayName = \"Ada\"", "Unexpected character '\"' (U+0022) at line 1, column 44. Strings are written in single quotes")]
    [InlineData("SELECT * FROM Customer WHERE DisplayName = Ada", "Was expecting a value: a quoted string such as 'Ada', a number, true, false or CURRENT_DATE. Strings must be in single quotes.")]
    [InlineData("SELECT * FROM Customer WHERE DisplayName != 'Ada'", "There is no not-equal operator")]
    [InlineData("SELECT * FROM Customer WHERE DisplayName IS NULL", "Was expecting one of: \"=\", \"<\", \">\", \"<=\", \">=\", \"LIKE\", \"IN\".")]
    [InlineData("SELECT * FROM Customer WHERE DisplayName LIKE 5", "Was expecting a quoted pattern")]
    [InlineData("SELECT * FROM Customer WHERE Id IN ()", "Encountered \")\" at line 1, column 37. Was expecting a value")]
    [InlineData("SELECT * FROM Customer WHERE Id IN ('1' '2')", "Encountered the string '2' at line 1, column 41. Was expecting one of: \",\", \")\".")]
    [InlineData("SELECT * FROM Customer WHERE Id IN '1'", "IN takes a list in parentheses")]
    [InlineData("SELECT * FROM Invoice ORDER TxnDate", "Was expecting \"BY\".")]
    [InlineData("SELECT * FROM Invoice ORDERBY TxnDate WHERE Balance > 0", "Was expecting one of: \"ASC\", \"DESC\", \",\", \"STARTPOSITION\", \"MAXRESULTS\", the end of the query. The clauses come in this order")]
    [InlineData("SELECT * FROM Invoice ORDERBY TxnDate DESC DocNumber", "Encountered \"DocNumber\" at line 1, column 44. Was expecting one of: \",\", \"STARTPOSITION\", \"MAXRESULTS\", the end of the query.")]
    [InlineData("SELECT * FROM Invoice MAXRESULTS 10 STARTPOSITION 2", "Encountered \"STARTPOSITION\" at line 1, column 37. Was expecting the end of the query. The clauses come in this order")]
    [InlineData("SELECT * FROM Invoice MAXRESULTS 1.5", "Encountered the number 1.5 at line 1, column 34. Was expecting a whole number. MAXRESULTS counts entities.")]
    [InlineData("SELECT * FROM Invoice LIMIT 10", "use MAXRESULTS")]
    [InlineData("SELECT * FROM Invoice;", "does not end with a semicolon")]
    public void Text_outside_the_language_is_a_parse_error(string text, string explanation)
    {
        var error = Assert.Throws<QuickBooksQueryException>(() => QueryParser.Parse(text));

        Assert.Equal("4000", error.Code);
        Assert.Equal("Error parsing query", error.FaultMessage);
        Assert.StartsWith("QueryParserError: ", error.Detail, StringComparison.Ordinal);
        Assert.Contains(explanation, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parse_error_is_reported_before_an_invalid_page_size()
        => Assert.Equal("4000", Assert.Throws<QuickBooksQueryException>(() => QueryParser.Parse("SELECT * FROM Invoice WHERE Id < '5' OR MAXRESULTS 5000")).Code);

    // Errors: queries QuickBooks refuses (4001)

    [Theory]
    [InlineData("SELECT * FROM Invoice WHERE Id < '5'", "Id (column 29) can only be compared with = or IN, not with <.")]
    [InlineData("SELECT * FROM Invoice WHERE id >= '5'", "not with >=.")]
    [InlineData("SELECT * FROM Invoice WHERE Id LIKE '1%'", "not with LIKE.")]
    [InlineData("SELECT * FROM Invoice MAXRESULTS 1001", "MAXRESULTS 1001 is more than the maximum of 1000 entities per page")]
    [InlineData("SELECT * FROM Invoice MAXRESULTS 99999999999999999999", "MAXRESULTS 99999999999999999999 is more than the maximum of 1000")]
    [InlineData("SELECT * FROM Invoice MAXRESULTS 0", "MAXRESULTS 0 is not allowed: a page holds between 1 and 1000 entities.")]
    [InlineData("SELECT * FROM Invoice STARTPOSITION 0", "STARTPOSITION 0 is not allowed: positions count from 1")]
    [InlineData("SELECT * FROM Invoice STARTPOSITION -1 MAXRESULTS 10", "STARTPOSITION -1 is not allowed")]
    public void A_query_QuickBooks_cannot_run_is_invalid(string text, string explanation)
    {
        var error = Assert.Throws<QuickBooksQueryException>(() => QueryParser.Parse(text));

        AssertInvalid(error, explanation);
    }

    [Theory]
    [InlineData("SELECT * FROM Invoice WHERE Balanse > '0'", "'Balanse' (column 29) is not a property of Invoice that can be queried. Did you mean 'Balance'?")]
    [InlineData("SELECT * FROM Invoice ORDERBY metadata.LastUpdated", "'metadata.LastUpdated' (column 31) is not a property of Invoice that can be queried. Did you mean 'MetaData.LastUpdatedTime'?")]
    [InlineData("SELECT * FROM Invoice WHERE Shipping = 'x'", "'Shipping' (column 29) is not a property of Invoice that can be queried.")]
    [InlineData("SELECT * FROM Invoice WHERE MetaData = '2026-11-21'", "It is an object: query one of its properties, such as MetaData.CreateTime or MetaData.LastUpdatedTime.")]
    [InlineData("SELECT count(*) FROM Customer WHERE Name = 'Ada'", "'Name' (column 37) is not a property of Customer that can be queried.")]
    public void An_unknown_property_is_invalid(string text, string explanation)
    {
        var error = Assert.Throws<QuickBooksQueryException>(() => Run(text));

        AssertInvalid(error, explanation);
    }

    [Fact]
    public void An_unknown_entity_is_invalid()
    {
        var query = QueryParser.Parse("SELECT * FROM Invoce");

        var error = Assert.Throws<QuickBooksQueryException>(() => query.ResolveEntity(["Invoice", "Customer"]));

        AssertInvalid(error, "'Invoce' is not an entity that can be queried. Queryable entities: Customer, Invoice.");
    }

    [Fact]
    public void Entity_names_resolve_to_their_canonical_spelling()
        => Assert.Equal("TaxCode", QueryParser.Parse("select * from TAXCODE").ResolveEntity(["Invoice", "TaxCode"]));

    [Fact]
    public void A_given_list_of_properties_is_all_a_query_may_name()
    {
        var only = QueryableProperties.Only(["DisplayName", "Active", "SyncToken"]);

        var refused = Assert.Throws<QuickBooksQueryException>(() => Evaluate("SELECT * FROM Customer WHERE PrimaryEmailAddr = 'ada@analytical.example'", Customers, only));
        AssertInvalid(refused, "'PrimaryEmailAddr' (column 30) is not a property of Customer that can be queried.");

        Assert.Equal(["1"], Ids(Evaluate("SELECT * FROM Customer WHERE displayname = 'Ada Lovelace'", Customers, only)));
        Assert.Empty(Evaluate("SELECT * FROM Customer WHERE SyncToken = '0'", Customers, only).Entities);
    }

    [Fact]
    public void Properties_no_entity_has_yet_can_be_allowed_by_name()
    {
        const string text = "SELECT * FROM Customer WHERE CompanyName = 'COBOL Inc'";

        AssertInvalid(Assert.Throws<QuickBooksQueryException>(() => Evaluate(text, [], QueryableProperties.PresentOn([]))), "'CompanyName'");
        Assert.Empty(Evaluate(text, [], QueryableProperties.PresentOn([], ["CompanyName"])).Entities);
        Assert.Empty(Evaluate("SELECT * FROM Customer WHERE MetaData.LastUpdatedTime > '2026-01-01'", [], QueryableProperties.PresentOn([])).Entities);
    }

    // Helpers

    private static JsonObject Entity(string json) => JsonNode.Parse(json)!.AsObject();

    // Unescaped, so that expected bodies read as written ("+08:00", "<").
    private static string Json(JsonNode body) => body.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static QueryResult Run(string text, DateOnly? today = null)
    {
        var query = QueryParser.Parse(text);
        var entity = query.ResolveEntity(["Invoice", "Customer", "Item", "Term"]);
        var entities = entity switch
        {
            "Invoice" => Invoices,
            "Customer" => Customers,
            "Item" => Items,
            _ => Terms,
        };
        return QueryEvaluator.Evaluate(query, entity, entities, today ?? Today, QueryableProperties.PresentOn(entities));
    }

    private static QueryResult Evaluate(string text, IReadOnlyList<JsonObject> entities, QueryableProperties properties)
    {
        var query = QueryParser.Parse(text);
        return QueryEvaluator.Evaluate(query, query.ResolveEntity(["Customer"]), entities, Today, properties);
    }

    private static string[] Ids(QueryResult result) => [.. result.Entities.Select(e => (string)e["Id"]!)];

    private static string[] InvoiceIds(string text) => Ids(Run(text));

    private static string[] CustomerIds(string text) => Ids(Run(text));

    private static void AssertInvalid(QuickBooksQueryException error, string explanation)
    {
        Assert.Equal("4001", error.Code);
        Assert.Equal("Invalid query", error.FaultMessage);
        Assert.StartsWith("QueryValidationError: ", error.Detail, StringComparison.Ordinal);
        Assert.Contains(explanation, error.Detail, StringComparison.Ordinal);
    }
}
