-- Lambda functions ($LATEST and published versions), their code, tags, and invocation logs.
CREATE TABLE lambda_functions (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    config TEXT NOT NULL,
    tags TEXT NOT NULL,
    next_version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (account, region, name, version)
);

CREATE TABLE lambda_code (
    account TEXT NOT NULL,
    sha TEXT NOT NULL,
    zip {{blob}} NOT NULL,
    PRIMARY KEY (account, sha)
);

CREATE TABLE lambda_logs (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    log_group TEXT NOT NULL,
    log_stream TEXT NOT NULL,
    request_id TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at {{bigint}} NOT NULL
);

CREATE INDEX lambda_logs_stream ON lambda_logs (account, region, log_group, log_stream, id);
