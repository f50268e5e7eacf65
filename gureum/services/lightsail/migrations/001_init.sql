-- Lightsail's resources (instances, key pairs, static IPs, snapshots, the default key pair, the access CA), each
-- a JSON document under its kind and name, and the operation records GetOperations answers with.
CREATE TABLE lightsail_resources (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (account, region, kind, name)
);

CREATE TABLE lightsail_operations (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    resource TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    body TEXT NOT NULL
);

CREATE INDEX lightsail_operations_by_time ON lightsail_operations (account, region, created_at);
