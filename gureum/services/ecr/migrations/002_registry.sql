-- the registry's own settings, one row per account and Region: its policy and its replication configuration
CREATE TABLE ecr_registries (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    policy TEXT,
    replication TEXT,
    PRIMARY KEY (account, region)
);
