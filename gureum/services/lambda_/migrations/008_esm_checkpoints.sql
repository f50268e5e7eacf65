-- Event source mappings on Kinesis and DynamoDB streams: per mapping and shard, the sequence number of the last
-- record processed (the poller resumes after it) and whether the shard was read to its end (closed shards done).
CREATE TABLE lambda_esm_checkpoints (
    uuid TEXT NOT NULL,
    shard_id TEXT NOT NULL,
    sequence TEXT NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (uuid, shard_id)
);
