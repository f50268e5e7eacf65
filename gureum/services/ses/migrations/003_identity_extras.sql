-- SES: sending-authorization policies of identities, custom MAIL FROM domains, the suppression lists (account and
-- configuration-set settings), contact lists and contacts (v2), open/click tracking links.
CREATE TABLE ses_identity_policies (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    identity TEXT NOT NULL,
    name TEXT NOT NULL,
    policy TEXT NOT NULL,
    PRIMARY KEY (account, region, identity, name)
);

CREATE TABLE ses_mail_from (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    identity TEXT NOT NULL,
    domain TEXT NOT NULL,
    behavior TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (account, region, identity)
);

CREATE TABLE ses_suppressed (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    address TEXT NOT NULL,
    reason TEXT NOT NULL,
    message_id TEXT,
    feedback_id TEXT,
    updated_at {{double}} NOT NULL,
    PRIMARY KEY (account, region, address)
);

CREATE TABLE ses_settings (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    scope TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (account, region, scope, name)
);

CREATE TABLE ses_contact_lists (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    topics TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    updated_at {{double}} NOT NULL,
    PRIMARY KEY (account, region, name)
);

CREATE TABLE ses_contacts (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    contact_list TEXT NOT NULL,
    address TEXT NOT NULL,
    preferences TEXT NOT NULL,
    unsubscribe_all INTEGER NOT NULL,
    attributes TEXT,
    created_at {{double}} NOT NULL,
    updated_at {{double}} NOT NULL,
    PRIMARY KEY (account, region, contact_list, address)
);

CREATE TABLE ses_tracking (
    token TEXT NOT NULL PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    configuration_set TEXT NOT NULL,
    kind TEXT NOT NULL,
    link TEXT,
    sent TEXT NOT NULL,
    created_at {{double}} NOT NULL
);
