-- Cognito user pools: pools, app clients, groups, users (documents as JSON), aliases, signing keys, sign-in
-- sessions (refresh tokens and revocation), pending challenges, captured messages and domains.
CREATE TABLE cognito_pools (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX cognito_pools_account ON cognito_pools (account, region);

CREATE TABLE cognito_clients (
    client_id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX cognito_clients_pool ON cognito_clients (pool_id);

CREATE TABLE cognito_groups (
    pool_id TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE cognito_users (
    pool_id TEXT NOT NULL,
    username TEXT NOT NULL,
    sub TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (pool_id, username)
);
CREATE INDEX cognito_users_sub ON cognito_users (pool_id, sub);

-- verified e-mail addresses and phone numbers (and preferred usernames) a user signs in with
CREATE TABLE cognito_aliases (
    pool_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    username TEXT NOT NULL,
    PRIMARY KEY (pool_id, kind, value)
);

CREATE TABLE cognito_members (
    pool_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    username TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, username)
);
CREATE INDEX cognito_members_user ON cognito_members (pool_id, username);

CREATE TABLE cognito_keys (
    pool_id TEXT NOT NULL,
    kid TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    pem TEXT NOT NULL,
    PRIMARY KEY (pool_id, kid)
);

-- one row per sign-in (origin_jti): its refresh token's hash, and whether it was revoked
CREATE TABLE cognito_sessions (
    jti TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    username TEXT NOT NULL,
    client_id TEXT NOT NULL,
    refresh_hash TEXT,
    auth_time {{double}} NOT NULL,
    expires_at {{double}} NOT NULL,
    revoked INTEGER NOT NULL
);
CREATE INDEX cognito_sessions_user ON cognito_sessions (pool_id, username);
CREATE INDEX cognito_sessions_refresh ON cognito_sessions (refresh_hash);

-- an authentication in progress (Session of a challenge)
CREATE TABLE cognito_challenges (
    session TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    expires_at {{double}} NOT NULL,
    doc TEXT NOT NULL
);

-- codes and messages sent to users, readable at /_gureum/cognito/codes
CREATE TABLE cognito_messages (
    id {{id_pk}},
    pool_id TEXT NOT NULL,
    username TEXT NOT NULL,
    kind TEXT NOT NULL,
    medium TEXT NOT NULL,
    destination TEXT NOT NULL,
    code TEXT,
    message TEXT NOT NULL,
    created_at {{double}} NOT NULL
);
CREATE INDEX cognito_messages_pool ON cognito_messages (pool_id, username);

CREATE TABLE cognito_domains (
    domain TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE cognito_resource_servers (
    pool_id TEXT NOT NULL,
    identifier TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);
