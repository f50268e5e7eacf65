-- CloudWatch Logs: groups, streams, events and metric filters. Times are integer milliseconds since the epoch.
CREATE TABLE logs_groups (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    retention_days INTEGER,
    kms_key TEXT,
    group_class TEXT NOT NULL,
    deletion_protection INTEGER NOT NULL,
    tags TEXT NOT NULL,
    UNIQUE (account, region, name)
);

CREATE TABLE logs_streams (
    id {{id_pk}},
    group_id {{bigint}} NOT NULL,
    name TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    first_event {{bigint}},
    last_event {{bigint}},
    last_ingestion {{bigint}},
    stored_bytes {{bigint}} NOT NULL,
    UNIQUE (group_id, name)
);

-- events are read per stream by time (GetLogEvents) and per group by time (FilterLogEvents, retention)
CREATE TABLE logs_events (
    id {{id_pk}},
    group_id {{bigint}} NOT NULL,
    stream_id {{bigint}} NOT NULL,
    ts {{bigint}} NOT NULL,
    ingested {{bigint}} NOT NULL,
    size INTEGER NOT NULL,
    message TEXT NOT NULL
);

CREATE INDEX logs_events_stream ON logs_events (stream_id, ts, id);

CREATE INDEX logs_events_group ON logs_events (group_id, ts, id);

CREATE TABLE logs_metric_filters (
    id {{id_pk}},
    group_id {{bigint}} NOT NULL,
    name TEXT NOT NULL,
    pattern TEXT NOT NULL,
    transformations TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    UNIQUE (group_id, name)
);
