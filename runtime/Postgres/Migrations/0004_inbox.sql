-- The durable inbox: every webhook event is recorded here before it is acknowledged, then delivered by the silo
-- owning its tenant's partition, in order, at least once.
--
-- Sequences are per partition and handed out under the partition's row lock in inbox_partitions, so within a
-- partition the order of sequences is the order of commits: a consumer never sees event 7 before event 6
-- commits (a bigserial could not promise that).

CREATE TABLE inbox_partitions (
    partition     integer PRIMARY KEY,
    next_sequence bigint NOT NULL
);

CREATE TABLE inbox_events (
    partition       integer NOT NULL,
    sequence        bigint NOT NULL,
    tenant_id       text NOT NULL,
    source          text NOT NULL,
    event_id        text NOT NULL,
    payload         jsonb NOT NULL,
    received_at     timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    processed_at    timestamptz,
    PRIMARY KEY (partition, sequence),
    -- A provider's retry of an event we already hold is dropped.
    UNIQUE (tenant_id, source, event_id)
);

-- The consumer's queue: only pending rows, in order per partition.
CREATE INDEX inbox_events_pending ON inbox_events (partition, sequence) WHERE status = 'pending';
-- Operators' list of dead letters.
CREATE INDEX inbox_events_dead ON inbox_events (received_at) WHERE status = 'dead';
-- Retention of processed events.
CREATE INDEX inbox_events_processed ON inbox_events (processed_at) WHERE status = 'done';
