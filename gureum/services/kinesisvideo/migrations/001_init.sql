-- Kinesis Video Streams: streams, signaling channels, and the index of the fragments kept on disk.
CREATE TABLE kvs_streams (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    device_name TEXT,
    media_type TEXT,
    kms_key_id TEXT NOT NULL,
    retention_hours INTEGER NOT NULL,
    created_at {{double}} NOT NULL,
    tags TEXT NOT NULL,
    configs TEXT NOT NULL,
    next_fragment {{bigint}} NOT NULL DEFAULT 0,
    UNIQUE (account, region, name)
);
CREATE INDEX kvs_streams_arn ON kvs_streams (arn);

CREATE TABLE kvs_channels (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    channel_type TEXT NOT NULL,
    ttl_seconds INTEGER NOT NULL,
    created_at {{double}} NOT NULL,
    tags TEXT NOT NULL,
    configs TEXT NOT NULL,
    UNIQUE (account, region, name)
);
CREATE INDEX kvs_channels_arn ON kvs_channels (arn);

-- one row per persisted fragment; its file is <media root>/<stream_id>/<seq>.mkv (header prefix + cluster)
CREATE TABLE kvs_fragments (
    stream_id {{bigint}} NOT NULL,
    seq {{bigint}} NOT NULL,
    producer_ms {{bigint}} NOT NULL,
    server_ms {{bigint}} NOT NULL,
    duration_ms {{bigint}} NOT NULL,
    size {{bigint}} NOT NULL,
    header_size INTEGER NOT NULL,
    PRIMARY KEY (stream_id, seq)
);
CREATE INDEX kvs_fragments_producer ON kvs_fragments (stream_id, producer_ms);
CREATE INDEX kvs_fragments_server ON kvs_fragments (stream_id, server_ms);
