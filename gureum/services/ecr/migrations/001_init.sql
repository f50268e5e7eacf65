-- ECR: repositories (settings, policies, tags), images (manifests by digest), tags, the content-addressed blobs
-- the registry keeps on disk (shared by every repository) and which repositories hold them, layer uploads.
CREATE TABLE ecr_repositories (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    mutability TEXT NOT NULL,
    mutability_exclusions TEXT NOT NULL,
    scan_on_push INTEGER NOT NULL,
    encryption TEXT NOT NULL,
    kms_key TEXT,
    tags TEXT NOT NULL,
    policy TEXT,
    lifecycle TEXT,
    lifecycle_evaluated_at {{double}},
    preview TEXT,
    UNIQUE (account, region, name)
);

CREATE TABLE ecr_images (
    repo_id {{bigint}} NOT NULL,
    digest TEXT NOT NULL,
    manifest TEXT NOT NULL,
    media_type TEXT NOT NULL,
    artifact_type TEXT,
    size {{bigint}} NOT NULL,
    pushed_at {{double}} NOT NULL,
    pulled_at {{double}},
    PRIMARY KEY (repo_id, digest)
);

CREATE TABLE ecr_tags (
    repo_id {{bigint}} NOT NULL,
    tag TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (repo_id, tag)
);
CREATE INDEX ecr_tags_digest ON ecr_tags (repo_id, digest);

-- what a manifest refers to (its layers and config, or an index's manifests): kept while the image is
CREATE TABLE ecr_references (
    repo_id {{bigint}} NOT NULL,
    digest TEXT NOT NULL,
    target TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (repo_id, digest, target)
);
CREATE INDEX ecr_references_target ON ecr_references (repo_id, target);

CREATE TABLE ecr_blobs (
    digest TEXT PRIMARY KEY,
    size {{bigint}} NOT NULL,
    created_at {{double}} NOT NULL
);

CREATE TABLE ecr_repo_blobs (
    repo_id {{bigint}} NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (repo_id, digest)
);

CREATE TABLE ecr_uploads (
    id TEXT PRIMARY KEY,
    repo_id {{bigint}} NOT NULL,
    created_at {{double}} NOT NULL,
    received {{bigint}} NOT NULL
);
