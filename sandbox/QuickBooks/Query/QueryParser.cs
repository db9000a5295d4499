using System.Globalization;

namespace OrleansSync.Sandbox.QuickBooks.Query;

/// <summary>
/// Reads QuickBooks' query language (QUICKBOOKS-API.md §6):
/// <code>
/// SELECT * | SELECT count(*) FROM Entity
///   [WHERE cond [AND cond]…]
///   [ORDERBY prop [ASC|DESC] [, prop [ASC|DESC]]…]
///   [STARTPOSITION n] [MAXRESULTS n]
/// cond := prop (= | &lt; | &gt; | &lt;= | &gt;= | LIKE) value | prop IN (value, …)
/// </code>
/// Keywords, entity and property names are case-insensitive; properties may be dotted (<c>MetaData.CreateTime</c>);
/// values are single-quoted strings (<c>\'</c>, <c>\\</c>), bare numbers, true, false and CURRENT_DATE.
/// Text outside the language is a 4000; a query that is in the language but asks for something QuickBooks refuses
/// whatever the data (Id with &lt;, MAXRESULTS over 1,000, STARTPOSITION 0) is a 4001. Whether a property exists
/// depends on the entity, so <see cref="QueryEvaluator"/> checks that.
/// </summary>
public static class QueryParser
{
    public static ParsedQuery Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var query = new Reader(QueryLexer.Tokenize(text)).Query();
        Validate(query);
        return query;
    }

    /// <summary>How the language writes an operator, for messages.</summary>
    internal static string Symbol(QueryOperator op) => op switch
    {
        QueryOperator.Equal => "=",
        QueryOperator.LessThan => "<",
        QueryOperator.GreaterThan => ">",
        QueryOperator.LessThanOrEqual => "<=",
        QueryOperator.GreaterThanOrEqual => ">=",
        QueryOperator.Like => "LIKE",
        QueryOperator.In => "IN",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    private static void Validate(ParsedQuery query)
    {
        if (query.StartPosition < ParsedQuery.DefaultStartPosition)
            throw QuickBooksQueryException.Invalid(
                $"STARTPOSITION {query.StartPosition} is not allowed: positions count from 1, so STARTPOSITION must be 1 or more.");

        // QuickBooks documents 1,000 as the most a page can hold. Whether the real service refuses a larger
        // MAXRESULTS, as here, or quietly returns 1,000 is unconfirmed; refusing makes a client that asks for too
        // much find out in the sandbox rather than miss entities in production.
        if (query.MaxResults > ParsedQuery.MaxMaxResults)
            throw QuickBooksQueryException.Invalid(
                $"MAXRESULTS {query.MaxResults} is more than the maximum of {ParsedQuery.MaxMaxResults} entities per page; read further pages with STARTPOSITION.");
        if (query.MaxResults < 1)
            throw QuickBooksQueryException.Invalid(
                $"MAXRESULTS {query.MaxResults} is not allowed: a page holds between 1 and {ParsedQuery.MaxMaxResults} entities.");

        foreach (var condition in query.Conditions)
        {
            if (condition.Property.IsId && condition.Operator is not (QueryOperator.Equal or QueryOperator.In))
                throw QuickBooksQueryException.Invalid(
                    $"Id (column {condition.Property.Column}) can only be compared with = or IN, not with {Symbol(condition.Operator)}.");
        }
    }

    /// <summary>A recursive-descent reader over the tokens, one method per rule of the grammar.</summary>
    private sealed class Reader(IReadOnlyList<QueryToken> tokens)
    {
        private const string ProjectionHint =
            " Selecting properties is not supported: a query returns whole entities (SELECT *) or their number (SELECT count(*)).";

        private const string ClauseOrder = " The clauses come in this order, each at most once: WHERE, ORDERBY, STARTPOSITION, MAXRESULTS.";

        // Words that cannot name an entity or a property: taking them as names would turn a missing name into a
        // confusing error further on.
        private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
        {
            "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "ORDER", "ORDERBY", "GROUP", "HAVING", "JOIN",
            "STARTPOSITION", "MAXRESULTS", "IN", "LIKE", "ASC", "DESC",
        };

        private int _next;

        private QueryToken Peek(int ahead = 0) => tokens[Math.Min(_next + ahead, tokens.Count - 1)];

        private QueryToken Next()
        {
            var token = Peek();
            if (_next < tokens.Count - 1)
                _next++;
            return token;
        }

        public ParsedQuery Query()
        {
            var select = Next();
            if (!select.IsWord("SELECT"))
                throw Unexpected(select, ["SELECT"], select.Kind == TokenKind.End ? " The query is empty." : "");

            var isCount = Projection();

            var from = Next();
            if (!from.IsWord("FROM"))
                throw Unexpected(from, ["FROM"], from.IsSymbol(",") ? ProjectionHint : "");

            var entity = Next();
            if (entity.Kind != TokenKind.Word || Reserved.Contains(entity.Text))
                throw Unexpected(entity, ["an entity name such as Invoice or Customer"]);

            List<QueryCondition> conditions = [];
            if (Peek().IsWord("WHERE"))
            {
                Next();
                conditions.Add(Condition());
                while (Peek().IsWord("AND"))
                {
                    Next();
                    conditions.Add(Condition());
                }
            }

            List<QueryOrdering> orderBy = [];
            if (Peek().IsWord("ORDERBY") || Peek().IsWord("ORDER"))
            {
                // The documentation writes ORDERBY and its examples "Order By"; both are read.
                if (Next().IsWord("ORDER"))
                {
                    var by = Next();
                    if (!by.IsWord("BY"))
                        throw Unexpected(by, ["BY"]);
                }

                orderBy.Add(Ordering());
                while (Peek().IsSymbol(","))
                {
                    Next();
                    orderBy.Add(Ordering());
                }
            }

            int? startPosition = null;
            if (Peek().IsWord("STARTPOSITION"))
            {
                Next();
                startPosition = WholeNumber("STARTPOSITION");
            }

            int? maxResults = null;
            if (Peek().IsWord("MAXRESULTS"))
            {
                Next();
                maxResults = WholeNumber("MAXRESULTS");
            }

            var end = Peek();
            if (end.Kind != TokenKind.End)
                throw Unexpected(end, ExpectedAfter(conditions, orderBy, startPosition, maxResults), end.IsSymbol(",") && conditions.Count == 0 && orderBy.Count == 0 && startPosition is null && maxResults is null
                    ? " A query reads a single entity; run one query per entity."
                    : "");

            return new ParsedQuery(
                entity.Text,
                isCount,
                conditions,
                orderBy,
                startPosition ?? ParsedQuery.DefaultStartPosition,
                maxResults ?? ParsedQuery.DefaultMaxResults);
        }

        private bool Projection()
        {
            var token = Peek();
            if (token.IsSymbol("*"))
            {
                Next();
                return false;
            }

            if (token.IsWord("count") && Peek(1).IsSymbol("("))
            {
                Next();
                Next();
                var star = Next();
                if (!star.IsSymbol("*"))
                    throw Unexpected(star, ["*"], " count takes no property: write count(*).");
                var close = Next();
                if (!close.IsSymbol(")"))
                    throw Unexpected(close, [")"]);
                return true;
            }

            throw Unexpected(token, ["*", "count(*)"], ProjectionHint);
        }

        private QueryCondition Condition()
        {
            var property = Property();
            var op = Next();
            if (op.IsWord("IN"))
                return new QueryCondition(property, QueryOperator.In, ValueList());
            if (op.IsWord("LIKE"))
            {
                var pattern = Next();
                if (pattern.Kind != TokenKind.String)
                    throw Unexpected(pattern, ["a quoted pattern such as '%Lovelace%'"], " LIKE compares text; % matches any run of characters.");
                return new QueryCondition(property, QueryOperator.Like, [new QueryValue.Text(pattern.Text)]);
            }

            QueryOperator? comparison = op.Kind != TokenKind.Symbol ? null : op.Text switch
            {
                "=" => QueryOperator.Equal,
                "<" => QueryOperator.LessThan,
                ">" => QueryOperator.GreaterThan,
                "<=" => QueryOperator.LessThanOrEqual,
                ">=" => QueryOperator.GreaterThanOrEqual,
                _ => null,
            };
            if (comparison is null)
                throw Unexpected(op, ["=", "<", ">", "<=", ">=", "LIKE", "IN"], op.IsSymbol(".") ? " A property name cannot end with a dot." : "");
            return new QueryCondition(property, comparison.Value, [Value()]);
        }

        private List<QueryValue> ValueList()
        {
            var open = Next();
            if (!open.IsSymbol("("))
                throw Unexpected(open, ["("], " IN takes a list in parentheses, e.g. Id IN ('1', '2').");
            List<QueryValue> values = [Value()];
            while (true)
            {
                var token = Next();
                if (token.IsSymbol(")"))
                    return values;
                if (!token.IsSymbol(","))
                    throw Unexpected(token, [",", ")"]);
                values.Add(Value());
            }
        }

        private QueryValue Value()
        {
            var token = Next();
            switch (token.Kind)
            {
                case TokenKind.String:
                    return new QueryValue.Text(token.Text);
                case TokenKind.Number:
                    return QueryLexer.ParseNumber(token.Text) is { } number
                        ? new QueryValue.Number(number, token.Text)
                        : throw QuickBooksQueryException.Parsing($"The number {token.Text} at {token.Where} is too large.");
                case TokenKind.Word when token.IsWord("true") || token.IsWord("false"):
                    return new QueryValue.Boolean(token.IsWord("true"));
                case TokenKind.Word when token.IsWord("CURRENT_DATE"):
                    return new QueryValue.CurrentDate();
                default:
                    throw Unexpected(
                        token,
                        ["a value: a quoted string such as 'Ada', a number, true, false or CURRENT_DATE"],
                        token.Kind == TokenKind.Word ? " Strings must be in single quotes." : "");
            }
        }

        private QueryOrdering Ordering()
        {
            var property = Property();
            if (Peek().IsWord("DESC") || Peek().IsWord("ASC"))
                return new QueryOrdering(property, Next().IsWord("DESC"));
            return new QueryOrdering(property, Descending: false);
        }

        /// <summary>A name, or names joined by dots: <c>MetaData.LastUpdatedTime</c>.</summary>
        private PropertyPath Property()
        {
            var first = Next();
            if (first.Kind != TokenKind.Word || Reserved.Contains(first.Text))
                throw Unexpected(first, ["a property name such as DocNumber or MetaData.LastUpdatedTime"]);
            List<string> segments = [first.Text];
            while (Peek().IsSymbol("."))
            {
                Next();
                var segment = Next();
                if (segment.Kind != TokenKind.Word)
                    throw Unexpected(segment, [$"the name of a property of {string.Join('.', segments)} after the dot"]);
                segments.Add(segment.Text);
            }

            return new PropertyPath(segments, first.Column);
        }

        private int WholeNumber(string clause)
        {
            var token = Next();
            if (token.Kind != TokenKind.Number || token.Text.Contains('.', StringComparison.Ordinal))
                throw Unexpected(token, ["a whole number"], $" {clause} counts entities.");

            // Beyond int's range the number is out of bounds either way; clamping keeps the check in Validate.
            return long.TryParse(token.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? (int)Math.Clamp(value, int.MinValue, int.MaxValue)
                : token.Text.StartsWith('-') ? int.MinValue : int.MaxValue;
        }

        private static List<string> ExpectedAfter(List<QueryCondition> conditions, List<QueryOrdering> orderBy, int? startPosition, int? maxResults)
        {
            List<string> expected = [];
            if (startPosition is null && maxResults is null)
            {
                if (orderBy.Count > 0)
                    expected.Add(",");
                else if (conditions.Count > 0)
                    expected.AddRange(["AND", "ORDERBY"]);
                else
                    expected.AddRange(["WHERE", "ORDERBY"]);
                expected.Add("STARTPOSITION");
            }

            if (maxResults is null)
                expected.Add("MAXRESULTS");
            expected.Add("the end of the query");
            return expected;
        }

        private static QuickBooksQueryException Unexpected(QueryToken found, IReadOnlyList<string> expected, string hint = "")
        {
            var wanted = expected.Count == 1 ? expected[0] : "one of: " + string.Join(", ", expected);
            return QuickBooksQueryException.Parsing($"Encountered {found.Describe()} at {found.Where}. Was expecting {wanted}.{hint}{HintFor(found)}");
        }

        // What a developer coming from SQL most likely meant.
        private static string HintFor(QueryToken token) => token.Kind switch
        {
            TokenKind.Word => token.Text.ToUpperInvariant() switch
            {
                "OR" => " OR is not supported: conditions can only be joined with AND. For several values of one property use IN ('a', 'b').",
                "GROUP" => " GROUP BY is not supported.",
                "HAVING" => " HAVING is not supported.",
                "JOIN" or "INNER" or "LEFT" or "RIGHT" or "OUTER" or "CROSS" => " JOIN is not supported: a query reads a single entity.",
                "NOT" => " NOT is not supported.",
                "IS" => " IS (NULL) is not supported.",
                "BETWEEN" => " BETWEEN is not supported: use Prop >= 'a' AND Prop <= 'b'.",
                "LIMIT" => " LIMIT is not supported: use MAXRESULTS n.",
                "OFFSET" => " OFFSET is not supported: use STARTPOSITION n (which counts from 1).",
                "WHERE" or "ORDERBY" or "ORDER" or "STARTPOSITION" or "MAXRESULTS" => ClauseOrder,
                _ => "",
            },
            TokenKind.Symbol when token.Text is "!=" or "<>" => " There is no not-equal operator: the operators are =, <, >, <=, >=, LIKE and IN.",
            _ => "",
        };
    }
}
