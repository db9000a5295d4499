namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// One HubSpot-defined association type, from one object type to another. Every association exists in both directions,
/// each with its own type id (deal→contact 3 is contact→deal 4). A pair has one default (unlabeled) type, and may have
/// a labeled "Primary" one; a labeled association always comes with the default one.
/// </summary>
public sealed record AssociationType(CrmObjectType From, CrmObjectType To, int TypeId, int InverseTypeId, string? Label, bool IsDefault)
{
    public const string HubSpotDefined = "HUBSPOT_DEFINED";

    public bool IsPrimary => Label == "Primary";

    /// <summary>
    /// The <c>type</c> of a v3 read's association (<c>deal_to_contact</c>); where a pair has a primary label, the
    /// primary is <c>deal_to_company</c> and the default is <c>deal_to_company_unlabeled</c>.
    /// </summary>
    public string V3Name { get; init; } = $"{From.Singular}_to_{To.Singular}";

    /// <summary>The name webhooks use (<c>DEAL_TO_LINE_ITEM</c>).</summary>
    public string WebhookName => $"{From.UpperName}_TO_{To.UpperName}";
}

/// <summary>
/// The HubSpot-defined type ids, from the Node SDK's AssociationTypesEnum (docs/HUBSPOT-API.md §3). Invoice pairs other
/// than contact→invoice 178 are UNCONFIRMED (taken from HubSpot's published table as we remember it); clients should
/// read them from the labels endpoint, as the guide advises.
/// </summary>
public static class AssociationTypes
{
    private static readonly List<AssociationType> Known = [];

    static AssociationTypes()
    {
        var t = CrmObjectTypes.Contacts;
        var c = CrmObjectTypes.Companies;
        var d = CrmObjectTypes.Deals;
        var l = CrmObjectTypes.LineItems;
        var q = CrmObjectTypes.Quotes;
        var n = CrmObjectTypes.Notes;
        var i = CrmObjectTypes.Invoices;

        Pair(t, c, 279, 280, primary: (1, 2));
        Pair(d, t, 3, 4);
        Pair(d, c, 341, 342, primary: (5, 6));
        Pair(d, l, 19, 20);
        Pair(d, q, 63, 64);
        Pair(q, l, 67, 68);
        Pair(q, t, 69, 70);
        Pair(q, c, 71, 72);
        Pair(n, d, 214, 213);
        Pair(i, t, 177, 178);
        Pair(i, c, 179, 180);
        Pair(i, d, 175, 176);
        Pair(i, l, 409, 410);
    }

    public static IReadOnlyList<AssociationType> All => Known;

    public static AssociationType? Find(CrmObjectType from, CrmObjectType to, int typeId)
        => Known.FirstOrDefault(a => a.From == from && a.To == to && a.TypeId == typeId);

    public static AssociationType? Default(CrmObjectType from, CrmObjectType to)
        => Known.FirstOrDefault(a => a.From == from && a.To == to && a.IsDefault);

    public static IReadOnlyList<AssociationType> Between(CrmObjectType from, CrmObjectType to)
        => [.. Known.Where(a => a.From == from && a.To == to)];

    /// <summary>The target type of a type id used from <paramref name="from"/> (a create body names only the id).</summary>
    public static AssociationType? FromTypeId(CrmObjectType from, int typeId)
        => Known.FirstOrDefault(a => a.From == from && a.TypeId == typeId);

    public static AssociationType Inverse(AssociationType type)
        => Known.First(a => a.From == type.To && a.To == type.From && a.TypeId == type.InverseTypeId);

    private static void Pair(CrmObjectType a, CrmObjectType b, int aToB, int bToA, (int AToB, int BToA)? primary = null)
    {
        var unlabeled = primary is null ? "" : "_unlabeled";
        Known.Add(new AssociationType(a, b, aToB, bToA, null, IsDefault: true) { V3Name = $"{a.Singular}_to_{b.Singular}{unlabeled}" });
        Known.Add(new AssociationType(b, a, bToA, aToB, null, IsDefault: true) { V3Name = $"{b.Singular}_to_{a.Singular}{unlabeled}" });
        if (primary is { } p)
        {
            Known.Add(new AssociationType(a, b, p.AToB, p.BToA, "Primary", IsDefault: false));
            Known.Add(new AssociationType(b, a, p.BToA, p.AToB, "Primary", IsDefault: false));
        }
    }
}
