-- EventBridge: buses, rules and their targets, archives and archived events, replays, connections,
-- API destinations, global endpoints. Times are integer milliseconds since the epoch.
CREATE TABLE events_buses (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    kms_key TEXT,
    dead_letter TEXT,
    policy TEXT,
    event_source TEXT,
    tags TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    modified_at {{bigint}} NOT NULL,
    UNIQUE (account, region, name)
);

CREATE TABLE events_rules (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    bus TEXT NOT NULL,
    name TEXT NOT NULL,
    pattern TEXT,
    schedule TEXT,
    state TEXT NOT NULL,
    description TEXT,
    role_arn TEXT,
    managed_by TEXT,
    tags TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    schedule_anchor {{bigint}},
    next_fire_at {{bigint}},
    UNIQUE (account, region, bus, name)
);

CREATE TABLE events_targets (
    id {{id_pk}},
    rule_id {{bigint}} NOT NULL,
    target_id TEXT NOT NULL,
    arn TEXT NOT NULL,
    config TEXT NOT NULL,
    UNIQUE (rule_id, target_id)
);
CREATE INDEX events_targets_arn ON events_targets (arn);

CREATE TABLE events_archives (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    source_arn TEXT NOT NULL,
    description TEXT,
    pattern TEXT,
    retention_days INTEGER NOT NULL,
    kms_key TEXT,
    state TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    UNIQUE (account, region, name)
);
CREATE INDEX events_archives_source ON events_archives (source_arn);

CREATE TABLE events_archived (
    id {{id_pk}},
    archive_id {{bigint}} NOT NULL,
    received_at {{bigint}} NOT NULL,
    size INTEGER NOT NULL,
    event TEXT NOT NULL
);
CREATE INDEX events_archived_time ON events_archived (archive_id, received_at, id);

CREATE TABLE events_replays (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    archive_arn TEXT NOT NULL,
    description TEXT,
    event_start {{bigint}} NOT NULL,
    event_end {{bigint}} NOT NULL,
    destination TEXT NOT NULL,
    state TEXT NOT NULL,
    state_reason TEXT,
    started_at {{bigint}} NOT NULL,
    ended_at {{bigint}},
    last_replayed {{bigint}},
    cursor_at {{bigint}} NOT NULL,
    cursor_id {{bigint}} NOT NULL,
    UNIQUE (account, region, name)
);

CREATE TABLE events_connections (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    uid TEXT NOT NULL,
    description TEXT,
    auth_type TEXT NOT NULL,
    auth TEXT NOT NULL,
    extra TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    modified_at {{bigint}} NOT NULL,
    authorized_at {{bigint}} NOT NULL,
    UNIQUE (account, region, name)
);

CREATE TABLE events_api_destinations (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    uid TEXT NOT NULL,
    description TEXT,
    connection_arn TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    method TEXT NOT NULL,
    rate_limit INTEGER NOT NULL,
    created_at {{bigint}} NOT NULL,
    modified_at {{bigint}} NOT NULL,
    UNIQUE (account, region, name)
);

CREATE TABLE events_endpoints (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    modified_at {{bigint}} NOT NULL,
    UNIQUE (account, region, name)
);
