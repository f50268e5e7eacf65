-- The tap (ports.FirehoseTap): a stream with subscribers (Kinesis Data Analytics inputs) also keeps each accepted
-- record, numbered in commit order, until every subscriber has released it (or it is 24 hours old).
ALTER TABLE firehose_streams ADD COLUMN tapped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE firehose_streams ADD COLUMN tap_seq {{bigint}} NOT NULL DEFAULT 0;

CREATE TABLE firehose_tap_subscribers (
    stream_id {{bigint}} NOT NULL,
    subscriber TEXT NOT NULL,
    -- the last sequence the subscriber no longer needs
    released {{bigint}} NOT NULL,
    PRIMARY KEY (stream_id, subscriber)
);

CREATE TABLE firehose_tap_records (
    stream_id {{bigint}} NOT NULL,
    seq {{bigint}} NOT NULL,
    arrived_at {{double}} NOT NULL,
    data {{blob}} NOT NULL,
    PRIMARY KEY (stream_id, seq)
);
