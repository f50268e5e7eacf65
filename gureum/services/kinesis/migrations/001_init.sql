-- Kinesis streams, their shards and records, enhanced fan-out consumers, account settings.
CREATE TABLE kinesis_streams (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    status TEXT NOT NULL,
    mode TEXT NOT NULL,
    retention_hours INTEGER NOT NULL,
    encryption TEXT NOT NULL,
    key_id TEXT,
    metrics TEXT NOT NULL,
    tags TEXT NOT NULL,
    policy TEXT,
    max_record_kib INTEGER NOT NULL,
    warm_mibps INTEGER,
    next_shard INTEGER NOT NULL,
    pending TEXT,
    due_at {{double}},
    UNIQUE (account, region, name)
);
CREATE INDEX kinesis_streams_due ON kinesis_streams (due_at) WHERE due_at IS NOT NULL;

-- a shard's row id is its key: its records' ids are (key << 40) | their index in the shard
CREATE TABLE kinesis_shards (
    id {{id_pk}},
    stream_id {{bigint}} NOT NULL,
    shard_index INTEGER NOT NULL,
    parent_index INTEGER,
    adjacent_index INTEGER,
    start_hash TEXT NOT NULL,
    end_hash TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    closed_at {{double}},
    last_index {{bigint}} NOT NULL DEFAULT 0,
    UNIQUE (stream_id, shard_index)
);

CREATE TABLE kinesis_records (
    id {{bigint}} PRIMARY KEY,
    arrival_ms {{bigint}} NOT NULL,
    partition_key TEXT NOT NULL,
    data {{blob}} NOT NULL
);

CREATE TABLE kinesis_consumers (
    id {{id_pk}},
    stream_id {{bigint}} NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    status TEXT NOT NULL,
    due_at {{double}},
    tags TEXT NOT NULL,
    policy TEXT,
    UNIQUE (stream_id, name)
);
CREATE INDEX kinesis_consumers_arn ON kinesis_consumers (arn);

CREATE TABLE kinesis_accounts (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    settings TEXT NOT NULL,
    PRIMARY KEY (account, region)
);
