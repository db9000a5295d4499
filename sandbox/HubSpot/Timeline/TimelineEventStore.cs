namespace OrleansSync.Sandbox.HubSpot;

/// <summary>
/// A portal's timeline events, by template and event id: writing an id again replaces the event (last write wins, as
/// HubSpot documents). Not thread-safe on its own: used under the portal's lock.
/// </summary>
public sealed class TimelineEventStore
{
    private readonly Dictionary<(string TemplateId, string EventId), TimelineEvent> _events = [];

    public void Put(TimelineEvent timelineEvent) => _events[(timelineEvent.EventTemplateId, timelineEvent.Id)] = timelineEvent;

    public TimelineEvent? Find(string templateId, string eventId) => _events.GetValueOrDefault((templateId, eventId));

    public IReadOnlyList<TimelineEvent> For(string objectType, string objectId)
        => [.. _events.Values.Where(e => e.ObjectType == objectType && e.ObjectId == objectId).OrderBy(e => e.Timestamp)];
}
