-- SES receiving: receipt rule sets (at most one active per account and Region), their rules in order (each kept
-- as the ReceiptRule document the API takes and answers), the account's IP address filters; and a lookup of
-- identities by name (which account receives mail for a domain).
CREATE TABLE ses_receipt_rule_sets (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at {{double}} NOT NULL,
    PRIMARY KEY (account, region, name)
);

CREATE TABLE ses_receipt_rules (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    rule_set TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    rule TEXT NOT NULL,
    PRIMARY KEY (account, region, rule_set, name)
);

CREATE TABLE ses_receipt_filters (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    policy TEXT NOT NULL,
    cidr TEXT NOT NULL,
    PRIMARY KEY (account, region, name)
);

CREATE INDEX ses_identities_name ON ses_identities (identity);
