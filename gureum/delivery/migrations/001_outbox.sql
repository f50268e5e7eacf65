-- Deliveries waiting for their target: written in the same transaction as the change that causes them.
CREATE TABLE delivery_outbox (
    id {{id_pk}},
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    payload TEXT NOT NULL,
    policy TEXT NOT NULL,
    dead_letter TEXT,
    source TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at {{bigint}} NOT NULL,
    next_at {{bigint}} NOT NULL,
    claimed_until {{bigint}},
    last_error TEXT
);
CREATE INDEX delivery_outbox_due ON delivery_outbox (next_at);
