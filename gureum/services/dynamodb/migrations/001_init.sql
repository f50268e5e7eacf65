-- DynamoDB tables (their schema as JSON), items and index entries, transaction tokens.
CREATE TABLE dynamodb_tables (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    spec TEXT NOT NULL,
    UNIQUE (account, region, name)
);

-- one row per item (index_id 0) and per index entry (index_id of the index): pk is the encoded partition key,
-- sk the encoded sort key (index entries: the index's sort key, then the table's key). Byte order = key order,
-- so a Query is one range scan of the primary key.
CREATE TABLE dynamodb_items (
    table_id {{bigint}} NOT NULL,
    index_id INTEGER NOT NULL,
    pk {{blob}} NOT NULL,
    sk {{blob}} NOT NULL,
    item TEXT NOT NULL,
    size INTEGER NOT NULL,
    expires {{double}},
    PRIMARY KEY (table_id, index_id, pk, sk)
);
CREATE INDEX dynamodb_items_expiry ON dynamodb_items (expires) WHERE expires IS NOT NULL;

CREATE TABLE dynamodb_tokens (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    token TEXT NOT NULL,
    digest TEXT NOT NULL,
    expires_at {{double}} NOT NULL,
    PRIMARY KEY (account, region, token)
);
