-- X-Ray's configuration: sampling rules (besides the Default rule, which is kept here once changed) and groups,
-- one row each per account and Region, as the JSON document X-Ray answers with; their tags; times in epoch seconds.
CREATE TABLE xray_resources (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    arn TEXT NOT NULL,
    doc TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    modified_at {{double}} NOT NULL,
    PRIMARY KEY (account, region, kind, name)
);
CREATE INDEX xray_resources_arn ON xray_resources (arn);
