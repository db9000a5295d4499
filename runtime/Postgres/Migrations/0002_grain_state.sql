-- Grain state: one row per grain and state name, the state as JSON, and a version that every write checks and
-- advances (the etag).

CREATE TABLE grain_state (
    grain_type text NOT NULL,
    grain_key  text NOT NULL,
    state_name text NOT NULL,
    payload    jsonb NOT NULL,
    version    bigint NOT NULL,
    written_by text NOT NULL,
    written_at timestamptz NOT NULL,
    PRIMARY KEY (grain_type, grain_key, state_name)
);
