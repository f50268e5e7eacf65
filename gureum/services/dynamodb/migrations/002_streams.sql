-- DynamoDB Streams: one row per stream a table had (a table's stream stays readable 24 h after it is disabled or
-- the table deleted), one shard each; its records, numbered per stream in commit order (next_seq is taken under
-- the stream row's lock, in the item change's transaction).
CREATE TABLE dynamodb_streams (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    table_name TEXT NOT NULL,
    label TEXT NOT NULL,
    view_type TEXT NOT NULL,
    key_schema TEXT NOT NULL,
    shard_id TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    disabled_at {{double}},
    next_seq {{bigint}} NOT NULL,
    UNIQUE (account, region, table_name, label)
);

CREATE TABLE dynamodb_stream_records (
    stream_id {{bigint}} NOT NULL,
    seq {{bigint}} NOT NULL,
    created_at {{double}} NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (stream_id, seq)
);
CREATE INDEX dynamodb_stream_records_age ON dynamodb_stream_records (created_at);
