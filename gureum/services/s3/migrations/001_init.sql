-- S3: buckets (names are global across accounts), object versions (keys as UTF-8 bytes so both stores order them
-- as S3 lists them), multipart uploads and their parts. Bodies are files (blobs.py); rows name them in "segments".
CREATE TABLE s3_buckets (
    name TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    versioning TEXT,
    config TEXT NOT NULL
);
CREATE INDEX s3_buckets_account ON s3_buckets (account, name);

CREATE TABLE s3_objects (
    id {{id_pk}},
    bucket TEXT NOT NULL,
    object_key {{blob}} NOT NULL,
    version_id TEXT NOT NULL,
    latest INTEGER NOT NULL,
    delete_marker INTEGER NOT NULL,
    size {{bigint}} NOT NULL,
    etag TEXT NOT NULL,
    modified {{double}} NOT NULL,
    storage_class TEXT NOT NULL,
    segments TEXT NOT NULL,
    attributes TEXT NOT NULL
);
CREATE UNIQUE INDEX s3_objects_version ON s3_objects (bucket, object_key, version_id);
CREATE INDEX s3_objects_latest ON s3_objects (bucket, object_key) WHERE latest = 1;

CREATE TABLE s3_uploads (
    upload_id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    object_key {{blob}} NOT NULL,
    initiated {{double}} NOT NULL,
    storage_class TEXT NOT NULL,
    attributes TEXT NOT NULL
);
CREATE INDEX s3_uploads_key ON s3_uploads (bucket, object_key, initiated);

CREATE TABLE s3_parts (
    upload_id TEXT NOT NULL,
    part_number INTEGER NOT NULL,
    size {{bigint}} NOT NULL,
    etag TEXT NOT NULL,
    modified {{double}} NOT NULL,
    segments TEXT NOT NULL,
    checksum TEXT,
    PRIMARY KEY (upload_id, part_number)
);
