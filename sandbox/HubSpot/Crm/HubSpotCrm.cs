using System.Globalization;
using OrleansSync.Sandbox.Common;

namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// Every change to a portal's records, whoever makes it (the API, a person through the admin endpoints, the seed):
/// validate → change → calculate what HubSpot calculates → announce by webhook (and to any
/// <see cref="ICrmChangeObserver"/>). Each call holds the portal's lock, so a change and its consequences (a line item's
/// amount, a published quote's total) are seen together.
/// </summary>
public sealed class HubSpotCrm(SandboxClock clock, HubSpotWebhooks webhooks, IEnumerable<ICrmChangeObserver> observers)
{
    private readonly ICrmChangeObserver[] _observers = [.. observers];

    /// <summary>Who is acting: the API (an app), a person in HubSpot's UI, or the seed (which announces nothing).</summary>
    public sealed record Actor(string Source, long? UserId, bool Announce = true, bool MayWriteReadOnly = false)
    {
        public static readonly Actor Api = new(ChangeSource.Api, null);
        public static readonly Actor Person = new(ChangeSource.CrmUi, HubSpotOAuth.DemoUserId);
        public static readonly Actor Seed = new(ChangeSource.CrmUi, HubSpotOAuth.DemoUserId, Announce: false, MayWriteReadOnly: true);
    }

    public sealed record CreateInput(IReadOnlyDictionary<string, string> Properties, IReadOnlyList<AssociationToCreate> Associations);

    public (CrmObject? Record, HubSpotError? Error) Create(HubSpotPortal portal, CrmObjectType type, CreateInput input, Actor actor, long? id = null)
    {
        var (created, error) = CreateMany(portal, type, [input], actor, id is { } given ? [given] : null);
        return (created?[0], error);
    }

    /// <summary>
    /// Creates records, all or none: like HubSpot's batch create, one invalid input fails the whole request.
    /// </summary>
    public (IReadOnlyList<CrmObject>? Records, HubSpotError? Error) CreateMany(HubSpotPortal portal, CrmObjectType type, IReadOnlyList<CreateInput> inputs, Actor actor, IReadOnlyList<long>? ids = null)
    {
        lock (portal.Sync)
        {
            var validated = new List<Dictionary<string, string>>();
            foreach (var input in inputs)
            {
                var properties = WithDefaults(portal, type, input.Properties);
                var (values, error) = Validate(portal, type, properties, existing: null, actor);
                error ??= RequiredMissing(portal, type, values!);
                error ??= UniqueValueTaken(portal, type, values!, except: null, alsoTaken: validated);
                error ??= input.Associations.Select(a => AssociationTargetMissing(portal, a)).FirstOrDefault(e => e is not null);
                if (error is not null)
                    return (null, error);
                validated.Add(values!);
            }

            var now = clock.GetUtcNow();
            var created = new List<CrmObject>();
            for (var i = 0; i < inputs.Count; i++)
            {
                var record = portal.Objects.Create(type, now, ids?[i]);
                if (actor.Announce)
                    webhooks.Created(portal.PortalId, record, actor.Source);

                // Associations first: what HubSpot calculates from them (a published quote's amount) needs them.
                foreach (var association in inputs[i].Associations)
                    Associate(portal, association.Type, record.Id, association.ToId, actor);
                Apply(portal, record, validated[i], actor, now);
                created.Add(record);
            }

            return (created, null);
        }
    }

    /// <summary>Updates a record; an empty string clears a value.</summary>
    public HubSpotError? Update(HubSpotPortal portal, CrmObject record, IReadOnlyDictionary<string, string> properties, Actor actor)
    {
        lock (portal.Sync)
        {
            var (values, error) = Validate(portal, record.Type, properties, record, actor);
            error ??= UniqueValueTaken(portal, record.Type, values!, except: record, alsoTaken: []);
            if (error is not null)
                return error;
            Apply(portal, record, values!, actor, clock.GetUtcNow());
            return null;
        }
    }

    /// <summary>Checks a whole batch of updates before making any of them, as a batch update fails as one on bad values.</summary>
    public HubSpotError? ValidateUpdates(HubSpotPortal portal, IReadOnlyList<(CrmObject Record, IReadOnlyDictionary<string, string> Properties)> updates, Actor actor)
    {
        lock (portal.Sync)
        {
            foreach (var (record, properties) in updates)
            {
                var (values, error) = Validate(portal, record.Type, properties, record, actor);
                error ??= UniqueValueTaken(portal, record.Type, values!, except: record, alsoTaken: []);
                if (error is not null)
                    return error;
            }

            return null;
        }
    }

    /// <summary>Moves a record to the recycle bin.</summary>
    public void Archive(HubSpotPortal portal, CrmObject record, Actor actor)
    {
        lock (portal.Sync)
        {
            if (record.Archived)
                return;
            var now = clock.GetUtcNow();
            record.ArchivedAt = now;
            record.UpdatedAt = now;
            if (actor.Announce)
                webhooks.Deleted(portal.PortalId, record, actor.Source);
        }
    }

    /// <summary>
    /// Associates two records by one type. A labeled type brings the pair's default type with it, as in HubSpot every
    /// labeled association is also an unlabeled one. Returns whether anything was added.
    /// </summary>
    public bool Associate(HubSpotPortal portal, AssociationType type, long fromId, long toId, Actor actor)
    {
        lock (portal.Sync)
        {
            var added = false;
            if (!type.IsDefault && AssociationTypes.Default(type.From, type.To) is { } unlabeled)
                added |= AddOne(portal, unlabeled, fromId, toId, actor);
            return AddOne(portal, type, fromId, toId, actor) | added;
        }
    }

    /// <summary>Removes every association between two records (v4 DELETE); returns whether there was any.</summary>
    public bool Disassociate(HubSpotPortal portal, CrmObjectType fromType, long fromId, CrmObjectType toType, long toId, Actor actor)
    {
        lock (portal.Sync)
        {
            var typeIds = portal.Associations.TypeIds(fromType, fromId, toType, toId);
            foreach (var typeId in typeIds.OrderBy(id => AssociationTypes.Find(fromType, toType, id)?.IsDefault == true))
                RemoveLabel(portal, AssociationTypes.Find(fromType, toType, typeId)!, fromId, toId, actor);
            return typeIds.Count > 0;
        }
    }

    /// <summary>Removes one association type; removing the default one removes the labels too (nothing is left to label).</summary>
    public bool RemoveLabel(HubSpotPortal portal, AssociationType type, long fromId, long toId, Actor actor)
    {
        lock (portal.Sync)
        {
            if (type.IsDefault)
            {
                foreach (var label in AssociationTypes.Between(type.From, type.To).Where(t => !t.IsDefault))
                    RemoveLabel(portal, label, fromId, toId, actor);
            }

            if (!portal.Associations.Remove(type, fromId, toId))
                return false;
            if (actor.Announce)
                AnnounceAssociation(portal, type, fromId, toId, removed: true, actor);
            return true;
        }
    }

    /// <summary>
    /// Merges <paramref name="merged"/> into <paramref name="primary"/>: values the primary lacks are copied, associations
    /// move over, and the merged record is archived. The primary keeps its id.
    /// </summary>
    public void Merge(HubSpotPortal portal, CrmObject primary, CrmObject merged, Actor actor)
    {
        lock (portal.Sync)
        {
            var now = clock.GetUtcNow();
            var moved = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in merged.PropertiesWithValues)
            {
                if (primary.Get(property) is null && portal.Properties.Find(primary.Type, property) is { ReadOnlyValue: false })
                    moved[property] = merged.Get(property)!;
            }

            Apply(portal, primary, moved, actor with { Announce = false }, now);
            foreach (var toType in CrmObjectTypes.All)
            {
                foreach (var (toId, typeIds) in portal.Associations.Targets(merged.Type, merged.Id, toType))
                {
                    foreach (var typeId in typeIds)
                    {
                        var type = AssociationTypes.Find(merged.Type, toType, typeId)!;
                        portal.Associations.Remove(type, merged.Id, toId);
                        if (!(toType == primary.Type && toId == primary.Id))
                            portal.Associations.Add(type, primary.Id, toId);
                    }
                }
            }

            merged.ArchivedAt = now;
            merged.UpdatedAt = now;
            primary.UpdatedAt = now;
            if (actor.Announce)
                webhooks.Merged(portal.PortalId, primary.Type, primary.Id, [merged.Id], moved.Count, actor.Source);
        }
    }

    /// <summary>A quote is published when its status becomes one a buyer may see.</summary>
    public static bool IsPublished(string? quoteStatus) => quoteStatus is "APPROVAL_NOT_NEEDED" or "APPROVED";

    private bool AddOne(HubSpotPortal portal, AssociationType type, long fromId, long toId, Actor actor)
    {
        if (!portal.Associations.Add(type, fromId, toId))
            return false;
        if (actor.Announce)
            AnnounceAssociation(portal, type, fromId, toId, removed: false, actor);
        return true;
    }

    /// <summary>Both directions are changes to a record, each announced to its own type's subscription.</summary>
    private void AnnounceAssociation(HubSpotPortal portal, AssociationType type, long fromId, long toId, bool removed, Actor actor)
    {
        webhooks.AssociationChanged(portal.PortalId, type, fromId, toId, removed, actor.Source);
        webhooks.AssociationChanged(portal.PortalId, AssociationTypes.Inverse(type), toId, fromId, removed, actor.Source);
    }

    private void Apply(HubSpotPortal portal, CrmObject record, IReadOnlyDictionary<string, string> values, Actor actor, DateTimeOffset now)
    {
        var changed = new List<(string Name, string Value, string Source)>();
        foreach (var (name, value) in values)
        {
            if (record.Set(name, value, now, actor.Source, actor.UserId))
                changed.Add((name, value, actor.Source));
        }

        if (record.Type == CrmObjectTypes.LineItems && changed.Any(c => c.Name is "quantity" or "price") && LineItemAmount(record) is { } amount
            && record.Set("amount", amount, now, ChangeSource.Calculated))
            changed.Add(("amount", amount, ChangeSource.Calculated));

        if (record.Type == CrmObjectTypes.Quotes && changed.Any(c => c.Name == "hs_status") && IsPublished(record.Get("hs_status")))
            QuotePublishing.Publish(portal, record, now);

        if (actor.Announce)
        {
            foreach (var (name, value, source) in changed)
                webhooks.PropertyChanged(portal.PortalId, record, name, value, source);
        }

        foreach (var observer in _observers)
        {
            foreach (var (name, value, source) in changed)
                observer.PropertyChanged(new CrmPropertyChange(portal.PortalId, record.Type.Name, record.Id, name, value, source, now));
        }
    }

    /// <summary>A line item's amount: quantity × unit price, two decimals (HubSpot: "20000" × "3" → "60000.00").</summary>
    public static string? LineItemAmount(CrmObject lineItem)
        => decimal.TryParse(lineItem.Get("quantity"), NumberStyles.Float, CultureInfo.InvariantCulture, out var quantity)
           && decimal.TryParse(lineItem.Get("price"), NumberStyles.Float, CultureInfo.InvariantCulture, out var price)
            ? Math.Round(quantity * price, 2, MidpointRounding.AwayFromZero).ToString("F2", CultureInfo.InvariantCulture)
            : null;

    /// <summary>
    /// What HubSpot fills in on create: a deal without a pipeline goes to the default one; a line item made from a
    /// product takes the product's name, price, description and SKU unless the request sets them.
    /// </summary>
    private static Dictionary<string, string> WithDefaults(HubSpotPortal portal, CrmObjectType type, IReadOnlyDictionary<string, string> properties)
    {
        var values = new Dictionary<string, string>(properties, StringComparer.Ordinal);
        if (type == CrmObjectTypes.Deals && values.ContainsKey("dealstage") && !values.ContainsKey("pipeline"))
            values["pipeline"] = "default";
        if (type == CrmObjectTypes.LineItems && values.TryGetValue("hs_product_id", out var productId)
            && portal.Objects.Find(CrmObjectTypes.Products, productId) is { } product)
        {
            foreach (var (lineItemProperty, productProperty) in new[] { ("name", "name"), ("price", "price"), ("description", "description"), ("hs_sku", "hs_sku") })
            {
                if (!values.ContainsKey(lineItemProperty) && product.Get(productProperty) is { } copied)
                    values[lineItemProperty] = copied;
            }
        }

        return values;
    }

    private static (Dictionary<string, string>? Values, HubSpotError? Error) Validate(HubSpotPortal portal, CrmObjectType type, IReadOnlyDictionary<string, string> properties, CrmObject? existing, Actor actor)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<PropertyProblem>();
        foreach (var (name, raw) in properties)
        {
            var definition = portal.Properties.Find(type, name);
            var (value, problem) = PropertyValueRules.Normalize(definition, name, raw, existing?.Get(name), actor.MayWriteReadOnly);
            if (problem is not null)
                problems.Add(problem);
            else
                values[name] = value!;
        }

        return problems.Count > 0 ? (null, PropertyValueRules.ToError(portal.PortalId, problems)) : (values, null);
    }

    /// <summary>The properties a type needs on create (a quote's title and expiration date, a note's timestamp…).</summary>
    private static HubSpotError? RequiredMissing(HubSpotPortal portal, CrmObjectType type, IReadOnlyDictionary<string, string> values)
    {
        var problems = type.RequiredOnCreate
            .Where(name => !values.TryGetValue(name, out var value) || value.Length == 0)
            .Select(name => new PropertyProblem(name, PropertyValueRules.RequiredProperty, $"{name} is required"))
            .ToList();
        return problems.Count > 0 ? PropertyValueRules.ToError(portal.PortalId, problems) : null;
    }

    /// <summary>
    /// A contact's email is unique (case-insensitively): HubSpot answers 409 "Contact already exists. Existing ID: …".
    /// Properties defined with <c>hasUniqueValue</c> are unique too (that wording is ours).
    /// </summary>
    private static HubSpotError? UniqueValueTaken(HubSpotPortal portal, CrmObjectType type, IReadOnlyDictionary<string, string> values, CrmObject? except, IReadOnlyList<Dictionary<string, string>> alsoTaken)
    {
        foreach (var (name, value) in values)
        {
            var isEmail = type == CrmObjectTypes.Contacts && name == "email";
            if (value.Length == 0 || !(isEmail || portal.Properties.Find(type, name) is { HasUniqueValue: true }))
                continue;
            var comparison = isEmail ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            var holder = portal.Objects.All(type).FirstOrDefault(o => o != except && string.Equals(o.Get(name), value, comparison));
            if (holder is null && !alsoTaken.Any(v => v.TryGetValue(name, out var other) && string.Equals(other, value, comparison)))
                continue;
            var message = isEmail
                ? $"Contact already exists. Existing ID: {holder?.IdText ?? "(earlier input of this batch)"}"
                : $"A {type.Singular} with {name} \"{value}\" already exists. Existing ID: {holder?.IdText ?? "(earlier input of this batch)"}";
            return new HubSpotError(StatusCodes.Status409Conflict, message, HubSpotError.Conflict);
        }

        return null;
    }

    private static HubSpotError? AssociationTargetMissing(HubSpotPortal portal, AssociationToCreate association)
        => portal.Objects.Find(association.Type.To, association.ToId) is null
            ? HubSpotError.Validation($"One or more associations are invalid: {association.Type.To.UpperName} {association.ToId} does not exist.")
            : null;
}
