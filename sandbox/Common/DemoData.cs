namespace OrleansSync.Sandbox.Common;

/// <summary>
/// The demo tenant both services are seeded with, and the names that tie them together: a HubSpot portal whose
/// contacts, companies and products match customers and items of two QuickBooks companies — one in the US, one in
/// the UK with VAT codes and pounds as its home currency.
/// </summary>
public static class DemoData
{
    public const long PortalId = 7262481;
    public const string UsRealmId = "9341452917364851";
    public const string UkRealmId = "9341452917364852";

    /// <summary>At most this many extra tenants (<c>Sandbox:ExtraTenants</c>).</summary>
    public const int MaxExtraTenants = 999;

    private const long ExtraPortalBase = 7_300_000;
    private const long ExtraRealmBase = 9_341_452_917_400_000;

    /// <summary>
    /// Extra tenant <paramref name="number"/> (1 to <see cref="MaxExtraTenants"/>) of <c>Sandbox:ExtraTenants</c>, for
    /// load tests and benchmarks: a HubSpot portal with the demo portal's settings and records, and a US company with the
    /// demo US company's — numbered apart from the demo tenant (portal 7300001, company 9341452917400001, …).
    /// </summary>
    public static (long PortalId, string RealmId) ExtraTenant(int number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, MaxExtraTenants);
        return (ExtraPortalBase + number, (ExtraRealmBase + number).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Whether a portal is the demo portal or one of the extra tenants', which share its settings.</summary>
    public static bool IsDemoLikePortal(long portalId)
        => portalId == PortalId || portalId is > ExtraPortalBase and <= ExtraPortalBase + MaxExtraTenants;

    /// <summary>A person in both systems: HubSpot contact and QuickBooks customer, matched by email.</summary>
    public sealed record Person(string HubSpotContactId, string GivenName, string FamilyName, string Email, string Company, string? UsCustomerId, string? UkCustomerId);

    public static readonly IReadOnlyList<Person> People =
    [
        new("51001", "Ada", "Lovelace", "ada@analytical.example", "Analytical Engines Ltd", UsCustomerId: "1", UkCustomerId: "1"),
        new("51002", "Grace", "Hopper", "grace@cobol.example", "COBOL Inc", UsCustomerId: "2", UkCustomerId: null),
        new("51003", "Alan", "Turing", "alan@bletchley.example", "Bletchley Park", UsCustomerId: null, UkCustomerId: "2"),
        new("51004", "Margaret", "Hamilton", "margaret@apollo.example", "Apollo Guidance", UsCustomerId: null, UkCustomerId: null),
        new("51005", "Tim", "Berners-Lee", "tim@web.example", "World Wide Web", UsCustomerId: null, UkCustomerId: "3"),
    ];

    /// <summary>A product in HubSpot and an item in each QuickBooks company, matched by name (and SKU).</summary>
    public sealed record Product(string HubSpotProductId, string Name, string Sku, decimal UsdPrice, decimal GbpPrice, string? UsItemId, string? UkItemId);

    public static readonly IReadOnlyList<Product> Products =
    [
        new("54001", "Consulting hour", "CONS-HR", 150m, 120m, UsItemId: "2", UkItemId: "2"),
        new("54002", "Implementation", "IMPL", 6000m, 4800m, UsItemId: "3", UkItemId: "3"),
        new("54003", "Widget", "WID-1", 25m, 20m, UsItemId: "4", UkItemId: "4"),
        new("54004", "Support plan", "SUP-YR", 1200m, 960m, UsItemId: "5", UkItemId: "5"),
        // Only in HubSpot: a deal with this line item cannot be invoiced.
        new("54005", "Gold-plated widget", "WID-AU", 999m, 799m, UsItemId: null, UkItemId: null),
    ];
}
