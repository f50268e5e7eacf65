-- DynamoDB on-demand backups (the source table's schema as JSON and a copy of its items) and the point-in-time
-- recovery log: while a table has PITR enabled every item change appends the key's new image (NULL: deleted);
-- the state at a time T is the latest image per key at or before T. The sweep folds images older than the
-- recovery window into one per key.
CREATE TABLE dynamodb_backups (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    arn TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    table_name TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    spec TEXT NOT NULL,
    size {{bigint}} NOT NULL,
    items {{bigint}} NOT NULL
);
CREATE INDEX dynamodb_backups_account ON dynamodb_backups (account, region, created_at);

CREATE TABLE dynamodb_backup_items (
    backup_id {{bigint}} NOT NULL,
    pk {{blob}} NOT NULL,
    sk {{blob}} NOT NULL,
    item TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (backup_id, pk, sk)
);

CREATE TABLE dynamodb_pitr_log (
    id {{id_pk}},
    table_id {{bigint}} NOT NULL,
    at {{double}} NOT NULL,
    pk {{blob}} NOT NULL,
    sk {{blob}} NOT NULL,
    item TEXT,
    size INTEGER NOT NULL
);
CREATE INDEX dynamodb_pitr_log_key ON dynamodb_pitr_log (table_id, pk, sk, at);
CREATE INDEX dynamodb_pitr_log_age ON dynamodb_pitr_log (table_id, at);
