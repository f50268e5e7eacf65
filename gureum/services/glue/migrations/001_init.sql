-- AWS Glue Data Catalog (databases and tables only): a table's every version is kept (UpdateTable archives the
-- previous one, as Glue does), its current version in glue_tables. Times are integer milliseconds since the epoch.
CREATE TABLE glue_databases (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    input TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    UNIQUE (account, region, name)
);

CREATE TABLE glue_tables (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    database_name TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at {{bigint}} NOT NULL,
    UNIQUE (account, region, database_name, name)
);

CREATE TABLE glue_table_versions (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    database_name TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    input TEXT NOT NULL,
    updated_at {{bigint}} NOT NULL,
    UNIQUE (account, region, database_name, name, version)
);
