-- CloudWatch Logs Insights query definitions (saved queries): a name, a query and the log groups it runs on, kept
-- per account and Region under the id PutQueryDefinition made; times are integer milliseconds since the epoch.
CREATE TABLE logs_query_definitions (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    definition_id TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    updated_at {{bigint}} NOT NULL,
    UNIQUE (account, region, definition_id)
);
