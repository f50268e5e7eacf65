-- CloudWatch Logs: subscription filters (at most two per log group), account-level subscription filter policies,
-- and cross-account destinations. Times are integer milliseconds since the epoch.
CREATE TABLE logs_subscription_filters (
    id {{id_pk}},
    group_id {{bigint}} NOT NULL,
    name TEXT NOT NULL,
    pattern TEXT NOT NULL,
    destination_arn TEXT NOT NULL,
    role_arn TEXT,
    distribution TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    UNIQUE (group_id, name)
);

CREATE TABLE logs_account_policies (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    policy_type TEXT NOT NULL,
    name TEXT NOT NULL,
    document TEXT NOT NULL,
    scope TEXT NOT NULL,
    selection TEXT,
    updated_at {{bigint}} NOT NULL,
    UNIQUE (account, region, policy_type, name)
);

CREATE TABLE logs_destinations (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    target_arn TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    access_policy TEXT,
    tags TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    UNIQUE (account, region, name)
);
