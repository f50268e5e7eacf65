-- DynamoDB exports to S3 (ExportTableToPointInTime) and imports from S3 (ImportTable): one row each, its AWS
-- description as JSON (doc); a job is IN_PROGRESS until the leader's worker finishes it, so a restart resumes it.
-- client_token and digest answer a repeated request with the same job (or IdempotentParameterMismatch).
CREATE TABLE dynamodb_exports (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    arn TEXT NOT NULL UNIQUE,
    table_arn TEXT NOT NULL,
    status TEXT NOT NULL,
    client_token TEXT,
    digest TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX dynamodb_exports_account ON dynamodb_exports (account, region, id);
CREATE INDEX dynamodb_exports_status ON dynamodb_exports (status);

CREATE TABLE dynamodb_imports (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    arn TEXT NOT NULL UNIQUE,
    table_arn TEXT NOT NULL,
    status TEXT NOT NULL,
    client_token TEXT,
    digest TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX dynamodb_imports_account ON dynamodb_imports (account, region, id);
CREATE INDEX dynamodb_imports_status ON dynamodb_imports (status);
