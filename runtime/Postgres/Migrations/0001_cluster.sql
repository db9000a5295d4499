-- Cluster membership and tenant placement.
-- Every tenant hashes to one of a fixed number of partitions; each partition has one owner silo at a time,
-- held by a lease that expires unless renewed. The epoch grows with every change of owner: writes carry the
-- epoch their grain was activated under, so a silo that lost a partition cannot write to it (fencing).

CREATE TABLE cluster_settings (
    name  text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE silos (
    silo_id          text PRIMARY KEY,
    address          text NOT NULL,
    host_name        text NOT NULL,
    status           text NOT NULL CHECK (status IN ('Joining', 'Active', 'ShuttingDown', 'Stopped', 'Dead')),
    started_at       timestamptz NOT NULL,
    last_heartbeat   timestamptz NOT NULL,
    partitions_owned integer NOT NULL DEFAULT 0,
    activations      integer NOT NULL DEFAULT 0
);

CREATE TABLE partition_leases (
    partition     integer PRIMARY KEY,
    owner_silo_id text,
    epoch         bigint NOT NULL DEFAULT 0,
    expires_at    timestamptz NOT NULL DEFAULT '-infinity'
);

-- Renewals find a silo's leases by owner.
CREATE INDEX partition_leases_owner ON partition_leases (owner_silo_id);
