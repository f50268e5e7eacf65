-- Firehose delivery streams, the records they hold until a flush delivers them, Kinesis source checkpoints and
-- the objects flushes wrote.
CREATE TABLE firehose_streams (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at {{double}} NOT NULL,
    updated_at {{double}} NOT NULL,
    source TEXT NOT NULL,
    destination TEXT NOT NULL,
    encryption TEXT NOT NULL,
    tags TEXT NOT NULL,
    failure TEXT,
    -- the bytes its buffered records hold (kept with every insert and flush: no scan to decide on a flush)
    buffered {{bigint}} NOT NULL DEFAULT 0,
    UNIQUE (account, region, name)
);

-- accepted records, in arrival order, until the flush that delivers them deletes them
CREATE TABLE firehose_records (
    id {{id_pk}},
    stream_id {{bigint}} NOT NULL,
    record_id TEXT NOT NULL,
    arrived_at {{double}} NOT NULL,
    size INTEGER NOT NULL,
    data {{blob}} NOT NULL,
    meta TEXT
);
CREATE INDEX firehose_records_stream ON firehose_records (stream_id, id);

-- a Kinesis source's position per shard: the last sequence number taken into the buffer
CREATE TABLE firehose_checkpoints (
    stream_id {{bigint}} NOT NULL,
    shard_id TEXT NOT NULL,
    sequence TEXT NOT NULL,
    finished INTEGER NOT NULL,
    PRIMARY KEY (stream_id, shard_id)
);

-- every object a flush wrote, recorded in the transaction that removes the flushed records
CREATE TABLE firehose_objects (
    id {{id_pk}},
    stream_id {{bigint}} NOT NULL,
    bucket TEXT NOT NULL,
    object_key TEXT NOT NULL,
    records INTEGER NOT NULL,
    bytes {{bigint}} NOT NULL,
    written_at {{double}} NOT NULL
);
CREATE INDEX firehose_objects_stream ON firehose_objects (stream_id, id);
