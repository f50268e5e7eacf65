-- SQS queues, messages, FIFO deduplication, receive attempts, move tasks, deleted-queue tombstones.
CREATE TABLE sqs_queues (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    fifo INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    modified_at {{double}} NOT NULL,
    purged_at {{double}},
    UNIQUE (account, region, name)
);

CREATE TABLE sqs_deleted_queues (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    deleted_at {{double}} NOT NULL,
    PRIMARY KEY (account, region, name)
);

CREATE TABLE sqs_messages (
    id {{id_pk}},
    queue_id {{bigint}} NOT NULL,
    message_id TEXT NOT NULL,
    body TEXT NOT NULL,
    attributes TEXT,
    system_attributes TEXT,
    md5_body TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    sent_at {{bigint}} NOT NULL,
    visible_at {{bigint}} NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    first_received_at {{bigint}},
    receipt TEXT,
    group_id TEXT,
    dedup_id TEXT,
    dlq_source_arn TEXT
);
CREATE INDEX sqs_messages_visible ON sqs_messages (queue_id, visible_at);
CREATE INDEX sqs_messages_sent ON sqs_messages (queue_id, sent_at);
CREATE INDEX sqs_messages_group ON sqs_messages (queue_id, group_id, id) WHERE group_id IS NOT NULL;

CREATE TABLE sqs_dedup (
    queue_id {{bigint}} NOT NULL,
    dedup_key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence TEXT,
    expires_at {{bigint}} NOT NULL,
    PRIMARY KEY (queue_id, dedup_key)
);

CREATE TABLE sqs_receive_attempts (
    queue_id {{bigint}} NOT NULL,
    attempt_id TEXT NOT NULL,
    messages TEXT NOT NULL,
    expires_at {{bigint}} NOT NULL,
    PRIMARY KEY (queue_id, attempt_id)
);

CREATE TABLE sqs_move_tasks (
    handle TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    source_arn TEXT NOT NULL,
    destination_arn TEXT,
    max_per_second INTEGER,
    status TEXT NOT NULL,
    moved {{bigint}} NOT NULL DEFAULT 0,
    to_move {{bigint}} NOT NULL DEFAULT 0,
    started_at {{bigint}} NOT NULL,
    failure_reason TEXT
);
