-- The durable outbox: events for workflows (F15). Each is recorded here once — a key seen before is dropped — and
-- published by the silo owning its tenant's partition to every subscriber, in id order per partition, at least once.
--
-- Ids come from a plain sequence, but every append takes one advisory lock (see PostgresOutboxStore) from before its
-- ids are drawn until it commits: ids therefore become visible in order, so a reader following the outbox by id (an
-- event stream resuming after Last-Event-ID) never skips an event that committed late.

CREATE TABLE outbox_events (
    id              bigserial PRIMARY KEY,
    tenant_id       text NOT NULL,
    partition       integer NOT NULL,
    topic           text NOT NULL,
    key             text NOT NULL UNIQUE,
    payload         jsonb NOT NULL,
    recorded_at     timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'published', 'failed')),
    published_at    timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    failed_at       timestamptz
);

-- The publishers' queue: only pending rows, in order per partition.
CREATE INDEX outbox_events_pending ON outbox_events (partition, id) WHERE status = 'pending';
-- Operators' and streams' reads of one tenant's events.
CREATE INDEX outbox_events_tenant ON outbox_events (tenant_id, id);
-- Retention, and the count of events published lately.
CREATE INDEX outbox_events_published ON outbox_events (published_at) WHERE status = 'published';
CREATE INDEX outbox_events_failed ON outbox_events (failed_at) WHERE status = 'failed';
