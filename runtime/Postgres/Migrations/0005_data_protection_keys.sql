-- The ASP.NET Core Data Protection key ring, shared by every silo and api node: OAuth tokens kept in grain state
-- and the OAuth `state` parameters are protected with these keys, so each node must be able to read what another
-- wrote. Keys are added (never changed) by whichever node rolls the ring; revocations are upserts.

CREATE TABLE data_protection_keys (
    friendly_name text PRIMARY KEY,
    xml           text NOT NULL,
    stored_at     timestamptz NOT NULL DEFAULT now()
);
