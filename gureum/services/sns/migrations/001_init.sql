-- SNS topics, subscriptions, FIFO deduplication, the signing key, mobile push, SMS settings and the
-- captured-delivery outbox (e-mail, SMS, mobile push, sandbox verification codes).
CREATE TABLE sns_topics (
    id {{id_pk}},
    arn TEXT NOT NULL UNIQUE,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    fifo INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    tags TEXT NOT NULL,
    data_protection_policy TEXT,
    sequence {{bigint}} NOT NULL DEFAULT 0,
    subscriptions_deleted {{bigint}} NOT NULL DEFAULT 0,
    created_at {{double}} NOT NULL
);
CREATE INDEX sns_topics_owner ON sns_topics (account, region, id);

CREATE TABLE sns_subscriptions (
    id {{id_pk}},
    arn TEXT NOT NULL UNIQUE,
    topic_arn TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    owner TEXT NOT NULL,
    protocol TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    confirmed INTEGER NOT NULL,
    authenticated INTEGER NOT NULL,
    auth_unsubscribe INTEGER NOT NULL DEFAULT 0,
    token TEXT,
    token_expires {{bigint}},
    raw INTEGER NOT NULL DEFAULT 0,
    filter_policy TEXT,
    filter_scope TEXT,
    redrive_policy TEXT,
    delivery_policy TEXT,
    role_arn TEXT,
    replay_policy TEXT,
    deleted_at {{bigint}},
    created_at {{double}} NOT NULL
);
CREATE INDEX sns_subscriptions_topic ON sns_subscriptions (topic_arn, id);
CREATE INDEX sns_subscriptions_owner ON sns_subscriptions (owner, region, id);
-- one live subscription per endpoint and topic, even when two nodes take the same Subscribe at once
CREATE UNIQUE INDEX sns_subscriptions_endpoint ON sns_subscriptions (topic_arn, protocol, endpoint) WHERE deleted_at IS NULL;
CREATE INDEX sns_subscriptions_token ON sns_subscriptions (token);

CREATE TABLE sns_dedup (
    topic_arn TEXT NOT NULL,
    dedup_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence TEXT NOT NULL,
    expires_at {{bigint}} NOT NULL,
    PRIMARY KEY (topic_arn, dedup_id)
);

CREATE TABLE sns_signing (
    id INTEGER PRIMARY KEY,
    private_key TEXT NOT NULL,
    certificate TEXT NOT NULL
);

CREATE TABLE sns_applications (
    id {{id_pk}},
    arn TEXT NOT NULL UNIQUE,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    platform TEXT NOT NULL,
    attributes TEXT NOT NULL,
    created_at {{double}} NOT NULL
);
CREATE INDEX sns_applications_owner ON sns_applications (account, region, id);

CREATE TABLE sns_endpoints (
    id {{id_pk}},
    arn TEXT NOT NULL UNIQUE,
    application_arn TEXT NOT NULL,
    token TEXT NOT NULL,
    attributes TEXT NOT NULL,
    created_at {{double}} NOT NULL
);
CREATE UNIQUE INDEX sns_endpoints_token ON sns_endpoints (application_arn, token);

CREATE TABLE sns_sms_settings (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    attributes TEXT NOT NULL,
    in_sandbox INTEGER NOT NULL,
    PRIMARY KEY (account, region)
);

CREATE TABLE sns_opt_outs (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    opted_out INTEGER NOT NULL,
    opted_in_at {{bigint}},
    PRIMARY KEY (account, region, phone_number)
);

CREATE TABLE sns_sandbox_numbers (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    status TEXT NOT NULL,
    otp TEXT NOT NULL,
    language TEXT NOT NULL,
    sends INTEGER NOT NULL,
    first_sent_at {{bigint}} NOT NULL,
    created_at {{bigint}} NOT NULL,
    PRIMARY KEY (account, region, phone_number)
);

CREATE TABLE sns_captured (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    protocol TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    kind TEXT NOT NULL,
    topic_arn TEXT,
    subscription_arn TEXT,
    message_id TEXT NOT NULL,
    subject TEXT,
    message TEXT NOT NULL,
    attributes TEXT,
    extra TEXT,
    created_at {{bigint}} NOT NULL
);
CREATE INDEX sns_captured_endpoint ON sns_captured (protocol, endpoint, id);
