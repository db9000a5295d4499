using System.Text.Json.Serialization;
using OrleansSync.Clients.QuickBooks.Model;

namespace OrleansSync.Clients.QuickBooks;

/// <summary>
/// QuickBooks JSON, generated at build time. Names are QuickBooks' own (PascalCase, with a few lowercase ones marked
/// on the models); nulls are left out, since QuickBooks reads an explicit null as "clear this field" on updates;
/// reading ignores case, because some answers (401s) come in lowercase.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(Invoice))]
[JsonSerializable(typeof(Customer))]
[JsonSerializable(typeof(Item))]
[JsonSerializable(typeof(Payment))]
[JsonSerializable(typeof(Term))]
[JsonSerializable(typeof(TaxCode))]
[JsonSerializable(typeof(CompanyInfo))]
[JsonSerializable(typeof(Preferences))]
[JsonSerializable(typeof(List<Invoice>))]
[JsonSerializable(typeof(List<Customer>))]
[JsonSerializable(typeof(List<Item>))]
[JsonSerializable(typeof(List<Payment>))]
[JsonSerializable(typeof(List<Term>))]
[JsonSerializable(typeof(List<TaxCode>))]
[JsonSerializable(typeof(List<CompanyInfo>))]
[JsonSerializable(typeof(List<Preferences>))]
[JsonSerializable(typeof(DeletedEntity))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(FaultEnvelope))]
[JsonSerializable(typeof(FaultBody))]
public sealed partial class QuickBooksJsonContext : JsonSerializerContext;
