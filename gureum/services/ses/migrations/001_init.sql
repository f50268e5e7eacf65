-- SES (v1 and v2 share it): identities, account state, templates, configuration sets and their event
-- destinations, what was sent (quota and statistics), and the captured mailbox.
CREATE TABLE ses_identities (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    identity TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    token TEXT NOT NULL,
    dkim_tokens TEXT NOT NULL,
    dkim_status TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    PRIMARY KEY (account, region, identity)
);

CREATE INDEX ses_identities_token ON ses_identities (token);

CREATE TABLE ses_accounts (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    production INTEGER NOT NULL,
    max_24_hour_send {{double}} NOT NULL,
    max_send_rate {{double}} NOT NULL,
    sending_enabled INTEGER NOT NULL,
    PRIMARY KEY (account, region)
);

CREATE TABLE ses_templates (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    subject TEXT,
    text_part TEXT,
    html_part TEXT,
    created_at {{double}} NOT NULL,
    PRIMARY KEY (account, region, name)
);

CREATE TABLE ses_configuration_sets (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    sending_enabled INTEGER NOT NULL,
    created_at {{double}} NOT NULL,
    PRIMARY KEY (account, region, name)
);

CREATE TABLE ses_event_destinations (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    configuration_set TEXT NOT NULL,
    name TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    event_types TEXT NOT NULL,
    sns_topic TEXT,
    event_bus TEXT,
    PRIMARY KEY (account, region, configuration_set, name)
);

CREATE TABLE ses_sent (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    sent_at {{double}} NOT NULL,
    recipients INTEGER NOT NULL,
    bounces INTEGER NOT NULL,
    complaints INTEGER NOT NULL,
    rejects INTEGER NOT NULL
);

CREATE INDEX ses_sent_time ON ses_sent (account, region, sent_at);

CREATE TABLE ses_messages (
    id {{id_pk}},
    message_id TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    source TEXT NOT NULL,
    destinations TEXT NOT NULL,
    subject TEXT NOT NULL,
    origin TEXT NOT NULL,
    raw {{blob}} NOT NULL,
    sent_at {{double}} NOT NULL
);

CREATE INDEX ses_messages_id ON ses_messages (message_id);
