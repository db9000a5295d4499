using System.Collections.Concurrent;
using System.Globalization;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>The app's event templates (they belong to the app, not to a portal). Ids count up from 1001.</summary>
public sealed class TimelineTemplates
{
    private readonly ConcurrentDictionary<string, TimelineTemplate> _templates = new(StringComparer.Ordinal);
    private int _lastId = 1000;

    public static readonly IReadOnlyList<string> ObjectTypes = ["contacts", "companies", "deals", "tickets"];

    public static readonly IReadOnlyList<string> TokenTypes = ["string", "number", "date", "enumeration"];

    public TimelineTemplate? Find(string id) => _templates.GetValueOrDefault(id);

    public IReadOnlyList<TimelineTemplate> All => [.. _templates.Values.OrderBy(t => int.Parse(t.Id, CultureInfo.InvariantCulture))];

    public (TimelineTemplate? Template, HubSpotError? Error) Create(TimelineTemplateInput input, DateTimeOffset now)
    {
        if (Validate(input) is { } error)
            return (null, error);
        var id = Interlocked.Increment(ref _lastId).ToString(CultureInfo.InvariantCulture);
        var template = new TimelineTemplate(id, input.Name!, input.ObjectType!.ToLowerInvariant(), input.HeaderTemplate, input.DetailTemplate, input.Tokens ?? [], now, now);
        _templates[id] = template;
        return (template, null);
    }

    public (TimelineTemplate? Template, HubSpotError? Error) Update(TimelineTemplate current, TimelineTemplateInput input, DateTimeOffset now)
    {
        if (Validate(input with { ObjectType = input.ObjectType ?? current.ObjectType, Name = input.Name ?? current.Name }) is { } error)
            return (null, error);
        var updated = current with
        {
            Name = input.Name ?? current.Name,
            HeaderTemplate = input.HeaderTemplate ?? current.HeaderTemplate,
            DetailTemplate = input.DetailTemplate ?? current.DetailTemplate,
            Tokens = input.Tokens ?? [.. current.Tokens],
            UpdatedAt = now,
        };
        _templates[current.Id] = updated;
        return (updated, null);
    }

    public bool Remove(string id) => _templates.TryRemove(id, out _);

    private static HubSpotError? Validate(TimelineTemplateInput input)
    {
        if (string.IsNullOrEmpty(input.Name))
            return HubSpotError.Validation("Invalid input JSON on line 1, column 1: name is required");
        if (input.ObjectType is null || !ObjectTypes.Contains(input.ObjectType.ToLowerInvariant(), StringComparer.Ordinal))
            return HubSpotError.Validation($"objectType must be one of [{string.Join(", ", ObjectTypes)}] ({input.ObjectType ?? "null"} given)");
        foreach (var token in input.Tokens ?? [])
        {
            if (string.IsNullOrEmpty(token.Name) || string.IsNullOrEmpty(token.Label))
                return HubSpotError.Validation("Every token needs a name and a label.");
            if (token.Type is null || !TokenTypes.Contains(token.Type, StringComparer.Ordinal))
                return HubSpotError.Validation($"Token {token.Name}: type must be one of [{string.Join(", ", TokenTypes)}]");
            if (token.Type == "enumeration" && token.Options is not { Count: > 0 })
                return HubSpotError.Validation($"Token {token.Name}: an enumeration token needs options.");
        }

        return null;
    }
}
