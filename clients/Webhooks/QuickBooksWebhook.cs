using System.Globalization;
using System.Text.Json;

namespace OrleansSync.Clients.Webhooks;

/// <summary>One change QuickBooks announced: an entity of a company created, updated, deleted, voided, merged or emailed.</summary>
/// <param name="EventId">Unique per event: the CloudEvents id, or — for the legacy format, which has none — made from what the event says.</param>
/// <param name="DeletedId">On a merge: the id of the entity merged away.</param>
public sealed record QuickBooksChange(string EventId, string RealmId, string Entity, string EntityId, string Operation, DateTimeOffset? OccurredAt, string? DeletedId);

/// <summary>A webhook body that is not what QuickBooks or HubSpot sends.</summary>
public sealed class WebhookPayloadException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// Reads a QuickBooks webhook in either format (QUICKBOOKS-API.md §8): the legacy object
/// <c>{"eventNotifications":[{"realmId","dataChangeEvent":{"entities":[…]}}]}</c>, or a CloudEvents array, whose
/// events may belong to several companies.
/// </summary>
public static class QuickBooksWebhook
{
    // CloudEvents name entities in lower case; these are the names the Accounting API uses.
    private static readonly string[] KnownEntities =
    [
        "Account", "Bill", "BillPayment", "Budget", "Class", "CreditMemo", "Currency", "Customer", "Department", "Deposit",
        "Employee", "Estimate", "Invoice", "Item", "JournalCode", "JournalEntry", "Payment", "PaymentMethod", "Preferences",
        "Purchase", "PurchaseOrder", "RefundReceipt", "SalesReceipt", "TaxAgency", "Term", "TimeActivity", "Transfer",
        "Vendor", "VendorCredit",
    ];

    public static IReadOnlyList<QuickBooksChange> Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException exception)
        {
            throw new WebhookPayloadException($"The QuickBooks webhook is not JSON: {exception.Message}", exception);
        }

        using (document)
        {
            return document.RootElement.ValueKind switch
            {
                JsonValueKind.Object when document.RootElement.TryGetProperty("eventNotifications", out var notifications) => Legacy(notifications),
                JsonValueKind.Array => CloudEvents(document.RootElement),
                _ => throw new WebhookPayloadException("A QuickBooks webhook is an object with eventNotifications or an array of CloudEvents."),
            };
        }
    }

    private static List<QuickBooksChange> Legacy(JsonElement notifications)
    {
        if (notifications.ValueKind != JsonValueKind.Array)
            throw new WebhookPayloadException("eventNotifications must be an array.");
        var changes = new List<QuickBooksChange>();
        foreach (var notification in notifications.EnumerateArray())
        {
            var realmId = RequiredString(notification, "realmId");
            if (!notification.TryGetProperty("dataChangeEvent", out var dataChange) || !dataChange.TryGetProperty("entities", out var entities) || entities.ValueKind != JsonValueKind.Array)
                throw new WebhookPayloadException($"The notification for company {realmId} has no dataChangeEvent.entities array.");
            foreach (var entity in entities.EnumerateArray())
            {
                var name = RequiredString(entity, "name");
                var id = RequiredString(entity, "id");
                var operation = RequiredString(entity, "operation");
                var lastUpdated = OptionalString(entity, "lastUpdated");
                changes.Add(new QuickBooksChange($"{realmId}:{name}:{id}:{operation}:{lastUpdated}", realmId, name, id, operation, ParseTime(lastUpdated), OptionalString(entity, "deletedId")));
            }
        }

        return changes;
    }

    private static List<QuickBooksChange> CloudEvents(JsonElement events)
    {
        var changes = new List<QuickBooksChange>();
        foreach (var cloudEvent in events.EnumerateArray())
        {
            var type = RequiredString(cloudEvent, "type");
            var parts = type.Split('.');
            if (parts is not ["qbo", var entity, var verb, ..])
                throw new WebhookPayloadException($"CloudEvent type '{type}' is not qbo.<entity>.<verb>.v1.");
            var deletedId = cloudEvent.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? OptionalString(data, "deletedid") : null;
            changes.Add(new QuickBooksChange(
                RequiredString(cloudEvent, "id"),
                RequiredString(cloudEvent, "intuitaccountid"),
                KnownEntities.FirstOrDefault(e => e.Equals(entity, StringComparison.OrdinalIgnoreCase)) ?? char.ToUpperInvariant(entity[0]) + entity[1..],
                RequiredString(cloudEvent, "intuitentityid"),
                Operation(verb),
                ParseTime(OptionalString(cloudEvent, "time")),
                deletedId));
        }

        return changes;
    }

    /// <summary>The legacy format's operation names for the CloudEvents verbs.</summary>
    private static string Operation(string verb) => verb switch
    {
        "created" => "Create",
        "updated" => "Update",
        "deleted" => "Delete",
        "voided" or "void" => "Void",
        "merged" => "Merge",
        "emailed" => "Emailed",
        _ => char.ToUpperInvariant(verb[0]) + verb[1..],
    };

    /// <summary>Times come as "2016-10-05T03:09:04.000Z", "2015-10-05T14:42:19-0700" or with nanoseconds.</summary>
    internal static DateTimeOffset? ParseTime(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            return parsed;
        // An offset without its colon: "-0700".
        if (text.Length > 5 && text[^5] is '+' or '-' && DateTimeOffset.TryParse(text[..^2] + ":" + text[^2..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out parsed))
            return parsed;
        // More than seven digits of fractions.
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var end = dot < 0 ? -1 : text.IndexOfAny(['Z', '+', '-'], dot);
        if (dot > 0 && end - dot > 8 && DateTimeOffset.TryParse(text[..(dot + 8)] + text[end..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out parsed))
            return parsed;
        return null;
    }

    private static string RequiredString(JsonElement element, string name)
        => OptionalString(element, name) ?? throw new WebhookPayloadException($"A QuickBooks webhook event lacks '{name}'.");

    private static string? OptionalString(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
