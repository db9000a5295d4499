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
        return new Reader(QueryLexer.Tokenize(text)).Query();
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

        private bool _lastKeyHadDirection;

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

            QueryToken? startPosition = null;
            if (Peek().IsWord("STARTPOSITION"))
            {
                Next();
                startPosition = WholeNumber("STARTPOSITION");
            }

            QueryToken? maxResults = null;
            if (Peek().IsWord("MAXRESULTS"))
            {
                Next();
                maxResults = WholeNumber("MAXRESULTS");
            }

            var end = Peek();
            if (end.Kind != TokenKind.End)
            {
                var afterEntity = conditions.Count == 0 && orderBy.Count == 0 && startPosition is null && maxResults is null;
                throw Unexpected(
                    end,
                    ExpectedAfter(conditions, orderBy, startPosition, maxResults),
                    afterEntity && end.IsSymbol(",") ? " A query reads a single entity; run one query per entity." : "");
            }

            // Only now, with the whole text read, is a query that is in the language checked for what QuickBooks refuses.
            Validate(conditions, startPosition, maxResults);
            return new ParsedQuery(
                entity.Text,
                isCount,
                conditions,
                orderBy,
                startPosition is null ? ParsedQuery.DefaultStartPosition : (int)WholeValue(startPosition),
                maxResults is null ? ParsedQuery.DefaultMaxResults : (int)WholeValue(maxResults));
        }

        private static void Validate(List<QueryCondition> conditions, QueryToken? startPosition, QueryToken? maxResults)
        {
            foreach (var condition in conditions)
            {
                if (condition.Property.IsId && condition.Operator is not (QueryOperator.Equal or QueryOperator.In))
                    throw QuickBooksQueryException.Invalid(
                        $"Id (column {condition.Property.Column}) can only be compared with = or IN, not with {Symbol(condition.Operator)}.");
            }

            if (startPosition is not null && WholeValue(startPosition) < ParsedQuery.DefaultStartPosition)
                throw QuickBooksQueryException.Invalid(
                    $"STARTPOSITION {startPosition.Text} is not allowed: positions count from 1, so STARTPOSITION must be 1 or more.");
            if (startPosition is not null && WholeValue(startPosition) > int.MaxValue)
                throw QuickBooksQueryException.Invalid($"STARTPOSITION {startPosition.Text} is too large: it must be at most {int.MaxValue}.");

            // QuickBooks documents 1,000 as the most a page can hold. Whether the real service refuses a larger
            // MAXRESULTS, as here, or quietly returns 1,000 is unconfirmed; refusing makes a client that asks for too
            // much find out in the sandbox rather than miss entities in production.
            if (maxResults is not null && WholeValue(maxResults) > ParsedQuery.MaxMaxResults)
                throw QuickBooksQueryException.Invalid(
                    $"MAXRESULTS {maxResults.Text} is more than the maximum of {ParsedQuery.MaxMaxResults} entities per page; read further pages with STARTPOSITION.");
            if (maxResults is not null && WholeValue(maxResults) < 1)
                throw QuickBooksQueryException.Invalid(
                    $"MAXRESULTS {maxResults.Text} is not allowed: a page holds between 1 and {ParsedQuery.MaxMaxResults} entities.");
        }

        // A whole number token's value; beyond decimal's range it is out of bounds either way, so it is clamped.
        private static decimal WholeValue(QueryToken token)
            => QueryLexer.ParseNumber(token.Text) ?? (token.Text.StartsWith('-') ? decimal.MinValue : decimal.MaxValue);

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
            _lastKeyHadDirection = Peek().IsWord("DESC") || Peek().IsWord("ASC");
            return new QueryOrdering(property, Descending: _lastKeyHadDirection && Next().IsWord("DESC"));
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

        /// <summary>The number after STARTPOSITION or MAXRESULTS, checked by <see cref="Validate"/> once the whole query is read.</summary>
        private QueryToken WholeNumber(string clause)
        {
            var token = Next();
            if (token.Kind != TokenKind.Number || token.Text.Contains('.', StringComparison.Ordinal))
                throw Unexpected(token, ["a whole number"], $" {clause} counts entities.");
            return token;
        }

        private List<string> ExpectedAfter(List<QueryCondition> conditions, List<QueryOrdering> orderBy, QueryToken? startPosition, QueryToken? maxResults)
        {
            List<string> expected = [];
            if (startPosition is null && maxResults is null)
            {
                if (orderBy.Count > 0 && !_lastKeyHadDirection)
                    expected.AddRange(["ASC", "DESC", ","]);
                else if (orderBy.Count > 0)
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
            // Tokens are quoted, descriptions are not: Was expecting one of: "AND", "ORDERBY", …, the end of the query.
            static string Show(string item) => item.Contains(' ', StringComparison.Ordinal) ? item : $"\"{item}\"";
            var wanted = expected.Count == 1 ? Show(expected[0]) : "one of: " + string.Join(", ", expected.Select(Show));
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
