using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansSync.Sandbox.QuickBooks.Query;

/// <summary>A query's answer: one page of the matching entities (none for count(*)) and how many match in all.</summary>
/// <param name="Entity">The entity's canonical name, which keys the list in the response (<c>"Invoice":[…]</c>).</param>
public sealed record QueryResult(string Entity, IReadOnlyList<JsonObject> Entities, int TotalCount, int StartPosition, bool IsCount);

/// <summary>
/// Runs a <see cref="ParsedQuery"/> over the entities of one type, as QuickBooks would:
/// <list type="bullet">
/// <item>Every condition must hold (the language has only AND). An entity without the property matches no condition.
/// Values compare by <see cref="QueryOperand"/>'s rules.</item>
/// <item>Customer and Item queries leave out inactive entities (<c>"Active": false</c>) unless a condition names
/// <c>Active</c> — the way QuickBooks hides "deleted" list entries (QUICKBOOKS-API.md §5, Customer).</item>
/// <item>Results come by Id, as a number; ORDERBY sorts first by its keys (entities without a key's value last),
/// then by Id.</item>
/// <item>STARTPOSITION (from 1) and MAXRESULTS cut the page; the total counts every match.</item>
/// </list>
/// </summary>
public static class QueryEvaluator
{
    // Other list entities (Vendor, Employee, Account, …) probably hide inactive entries too; only these are
    // documented, and only these are in the sandbox.
    private static readonly HashSet<string> EntitiesHidingInactive = new(StringComparer.Ordinal) { "Customer", "Item" };

    /// <param name="entity">The canonical name of the queried entity (see <see cref="ParsedQuery.ResolveEntity"/>).</param>
    /// <param name="today">The company's date, for CURRENT_DATE.</param>
    /// <param name="properties">What the query may name; anything else is a 4001.</param>
    public static QueryResult Evaluate(ParsedQuery query, string entity, IEnumerable<JsonObject> entities, DateOnly today, QueryableProperties properties)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckProperties(query, entity, properties);

        var conditions = query.Conditions
            .Select(c => (Condition: c, Operands: c.Values.Select(v => QueryOperand.FromQuery(v, today)).ToList()))
            .ToList();
        var hideInactive = EntitiesHidingInactive.Contains(entity) && !query.HasConditionOn("Active");
        var matches = entities
            .Where(e => !(hideInactive && IsInactive(e)))
            .Where(e => conditions.All(c => Matches(e, c.Condition, c.Operands)))
            .ToList();

        if (query.IsCount)
            return new QueryResult(entity, [], matches.Count, query.StartPosition, IsCount: true);

        var page = Sort(matches, query.OrderBy)
            .Skip(query.StartPosition - 1)
            .Take(query.MaxResults)
            .ToList();
        return new QueryResult(entity, page, matches.Count, query.StartPosition, IsCount: false);
    }

    private static void CheckProperties(ParsedQuery query, string entity, QueryableProperties properties)
    {
        var named = query.Conditions.Select(c => c.Property).Concat(query.OrderBy.Select(o => o.Property));
        foreach (var property in named)
        {
            if (!properties.Contains(property))
                throw QuickBooksQueryException.Invalid(properties.Explain(property, entity));
        }
    }

    private static bool IsInactive(JsonObject entity)
        => EntityPaths.ComparableValue(entity, ["Active"]) is { } active && active.GetValueKind() == JsonValueKind.False;

    private static bool Matches(JsonObject entity, QueryCondition condition, List<QueryOperand> operands)
    {
        if (EntityPaths.ComparableValue(entity, condition.Property.Segments) is not { } found)
            return false;
        var value = QueryOperand.FromJson(found);
        return condition.Operator switch
        {
            QueryOperator.Equal => QueryOperand.Compare(value, operands[0]) == 0,
            QueryOperator.LessThan => QueryOperand.Compare(value, operands[0]) < 0,
            QueryOperator.GreaterThan => QueryOperand.Compare(value, operands[0]) > 0,
            QueryOperator.LessThanOrEqual => QueryOperand.Compare(value, operands[0]) <= 0,
            QueryOperator.GreaterThanOrEqual => QueryOperand.Compare(value, operands[0]) >= 0,
            QueryOperator.In => operands.Any(o => QueryOperand.Compare(value, o) == 0),
            QueryOperator.Like => QueryOperand.Like(value.Text, operands[0].Text),
            _ => throw new ArgumentOutOfRangeException(nameof(condition), condition.Operator, null),
        };
    }

    private static IEnumerable<JsonObject> Sort(List<JsonObject> entities, IReadOnlyList<QueryOrdering> orderBy)
    {
        // Each entity's keys are read once, not once per comparison.
        var keyed = entities.Select(e => new SortKeys(
            e,
            EntityPaths.Id(e),
            orderBy.Select(o => EntityPaths.ComparableValue(e, o.Property.Segments) is { } v ? QueryOperand.FromJson(v) : (QueryOperand?)null).ToArray()));
        return keyed.Order(new SortKeysComparer(orderBy)).Select(k => k.Entity);
    }

    private sealed record SortKeys(JsonObject Entity, string? Id, QueryOperand?[] Keys);

    private sealed class SortKeysComparer(IReadOnlyList<QueryOrdering> orderBy) : IComparer<SortKeys>
    {
        public int Compare(SortKeys? a, SortKeys? b)
        {
            ArgumentNullException.ThrowIfNull(a);
            ArgumentNullException.ThrowIfNull(b);
            for (var i = 0; i < orderBy.Count; i++)
            {
                var (x, y) = (a.Keys[i], b.Keys[i]);
                if (x is null || y is null)
                {
                    // Missing values go last, whichever the direction.
                    var missing = (x is null).CompareTo(y is null);
                    if (missing != 0)
                        return missing;
                    continue;
                }

                var order = orderBy[i].Property.IsId ? QueryOperand.CompareIds(x.Value.Text, y.Value.Text) : QueryOperand.Compare(x.Value, y.Value);
                if (order != 0)
                    return orderBy[i].Descending ? -order : order;
            }

            return QueryOperand.CompareIds(a.Id, b.Id);
        }
    }
}
