-- Durable reminders. Each silo asks only for the due reminders of the partitions it owns; the index serves that
-- as one range per partition, so no poll ever scans the table.

CREATE TABLE reminders (
    grain_type    text NOT NULL,
    grain_key     text NOT NULL,
    reminder_name text NOT NULL,
    partition     integer NOT NULL,
    first_tick_at timestamptz NOT NULL,
    period        interval NOT NULL,
    next_due_at   timestamptz NOT NULL,
    PRIMARY KEY (grain_type, grain_key, reminder_name)
);

CREATE INDEX reminders_due ON reminders (partition, next_due_at);
