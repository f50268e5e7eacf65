-- SubscribeToShard: one subscription per consumer and shard. A call within 5 seconds of the holder's start is
-- refused (ResourceInUseException); a later one takes over (a new token) and the old one ends when it sees it.
CREATE TABLE kinesis_subscriptions (
    consumer_id {{bigint}} NOT NULL,
    shard_index {{bigint}} NOT NULL,
    token TEXT NOT NULL,
    started_at {{double}} NOT NULL,
    ended_at {{double}},
    PRIMARY KEY (consumer_id, shard_index)
);
