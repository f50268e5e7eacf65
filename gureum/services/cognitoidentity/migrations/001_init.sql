-- Cognito identity pools, their identities (one per login subject, or per unauthenticated GetId) and the signing
-- key of the OpenID tokens GetOpenIdToken issues.
CREATE TABLE cognito_identity_pools (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX cognito_identity_pools_account ON cognito_identity_pools (account, region);

CREATE TABLE cognito_identities (
    id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    subject TEXT,
    created_at {{double}} NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX cognito_identities_pool ON cognito_identities (pool_id, id);
CREATE UNIQUE INDEX cognito_identities_subject ON cognito_identities (pool_id, subject);

CREATE TABLE cognito_identity_keys (
    kid TEXT PRIMARY KEY,
    created_at {{double}} NOT NULL,
    pem TEXT NOT NULL
);
