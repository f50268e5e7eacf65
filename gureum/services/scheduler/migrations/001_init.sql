-- EventBridge Scheduler: schedule groups and schedules. Times are integer milliseconds since the epoch;
-- next_fire_at is the nominal time of the firing the outbox holds a row for (NULL: none pending).
CREATE TABLE scheduler_groups (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    modified_at {{bigint}} NOT NULL,
    UNIQUE (account, region, name)
);

CREATE TABLE scheduler_schedules (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    group_name TEXT NOT NULL,
    name TEXT NOT NULL,
    expression TEXT NOT NULL,
    timezone TEXT,
    start_date {{bigint}},
    end_date {{bigint}},
    description TEXT,
    state TEXT NOT NULL,
    kms_key TEXT,
    target TEXT NOT NULL,
    flexible TEXT NOT NULL,
    after_completion TEXT NOT NULL,
    client_token TEXT,
    created_at {{bigint}} NOT NULL,
    modified_at {{bigint}} NOT NULL,
    next_fire_at {{bigint}},
    UNIQUE (account, region, group_name, name)
);
