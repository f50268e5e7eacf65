-- Systems Manager Parameter Store: a parameter's row holds its current version and tags; every version (the
-- current one too) is a row of ssm_versions with its value (SecureString values encrypted) and labels.
CREATE TABLE ssm_parameters (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    version {{bigint}} NOT NULL,
    tier TEXT NOT NULL,
    tags TEXT NOT NULL,
    UNIQUE (account, region, name)
);

CREATE TABLE ssm_versions (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    version {{bigint}} NOT NULL,
    doc TEXT NOT NULL,
    value TEXT NOT NULL,
    labels TEXT NOT NULL,
    UNIQUE (account, region, name, version)
);

-- the data keys SecureString values are encrypted with, one per account, Region and KMS key id named
CREATE TABLE ssm_keys (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    key_id TEXT NOT NULL,
    secret TEXT NOT NULL,
    UNIQUE (account, region, key_id)
);
