-- Lambda layers: numbered, immutable versions whose zip lives in lambda_code; a deleted version stays as a
-- tombstone (deleted = 1) so its number is never given out again, as AWS does.
CREATE TABLE lambda_layers (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    config TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account, region, name, version)
);
