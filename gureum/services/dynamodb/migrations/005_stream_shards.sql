-- A stream's shards: consecutive ranges of its sequence numbers, first_seq the first number a shard takes. The open
-- shard (end_seq NULL, the stream row's shard_id) takes the new records; the leader closes it once it is
-- GUREUM_DYNAMODB_SHARD_SECONDS old and holds a record (AWS rolls a stream's shards about every four hours) and
-- opens its child with the next number. A closed shard is dropped once its records are past the 24 h retention.
CREATE TABLE dynamodb_stream_shards (
    stream_id {{bigint}} NOT NULL,
    first_seq {{bigint}} NOT NULL,
    shard_id TEXT NOT NULL,
    parent_shard_id TEXT,
    created_at {{double}} NOT NULL,
    end_seq {{bigint}},
    closed_at {{double}},
    PRIMARY KEY (stream_id, first_seq)
);
CREATE INDEX dynamodb_stream_shards_open ON dynamodb_stream_shards (end_seq, created_at);

INSERT INTO dynamodb_stream_shards (stream_id, first_seq, shard_id, parent_shard_id, created_at, end_seq, closed_at)
SELECT id, 1, shard_id, NULL, created_at, NULL, NULL FROM dynamodb_streams;
