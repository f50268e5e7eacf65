-- IAM entities (roles, users, groups, instance profiles, customer managed policies) per account,
-- their inline policies, managed-policy attachments, memberships, policy versions and access keys.
CREATE TABLE iam_entities (
    id {{id_pk}},
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    arn TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    data TEXT NOT NULL
);
-- names are unique per account and kind, case-insensitively, as in IAM
CREATE UNIQUE INDEX iam_entities_name ON iam_entities (account, kind, name_key);
CREATE INDEX iam_entities_arn ON iam_entities (arn);

CREATE TABLE iam_inline_policies (
    owner_id {{bigint}} NOT NULL,
    name_key TEXT NOT NULL,
    name TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (owner_id, name_key)
);

CREATE TABLE iam_attachments (
    owner_id {{bigint}} NOT NULL,
    account TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    attached_at {{double}} NOT NULL,
    PRIMARY KEY (owner_id, policy_arn)
);
CREATE INDEX iam_attachments_policy ON iam_attachments (account, policy_arn);

-- instance profile → role, group → user
CREATE TABLE iam_members (
    parent_id {{bigint}} NOT NULL,
    child_id {{bigint}} NOT NULL,
    added_at {{double}} NOT NULL,
    PRIMARY KEY (parent_id, child_id)
);
CREATE INDEX iam_members_child ON iam_members (child_id);

CREATE TABLE iam_policy_versions (
    policy_id {{bigint}} NOT NULL,
    version_id TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    PRIMARY KEY (policy_id, version_id)
);

CREATE TABLE iam_access_keys (
    access_key_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    owner_id {{bigint}} NOT NULL,
    status TEXT NOT NULL,
    created_at {{double}} NOT NULL
);
CREATE INDEX iam_access_keys_owner ON iam_access_keys (owner_id);
