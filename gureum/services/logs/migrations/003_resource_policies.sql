-- CloudWatch Logs resource policies: the account's (group_id 0, at most ten per account and Region) and a log
-- group's own (resource-scoped, one per group, with a revision id). They let services (EventBridge, Route 53, ...)
-- deliver logs; times are integer milliseconds since the epoch.
CREATE TABLE logs_resource_policies (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    group_id {{bigint}} NOT NULL,
    name TEXT NOT NULL,
    resource_arn TEXT,
    document TEXT NOT NULL,
    revision TEXT,
    updated_at {{bigint}} NOT NULL,
    UNIQUE (account, region, group_id, name)
);
