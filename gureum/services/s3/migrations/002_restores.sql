-- Restored copies of archived objects that the leader's sweep still has to act on: a restore in progress is
-- completed (s3:ObjectRestore:Completed) once ready_at has passed, and a completed restore's copy expires
-- (s3:ObjectRestore:Delete) once expiry has passed; then the row goes. Reads decide from the version's own
-- attributes, never from this table.
CREATE TABLE s3_restores (
    bucket TEXT NOT NULL,
    object_key {{blob}} NOT NULL,
    version_id TEXT NOT NULL,
    ready_at {{double}} NOT NULL,
    expiry {{double}} NOT NULL,
    completed INTEGER NOT NULL,
    PRIMARY KEY (bucket, object_key, version_id)
);

CREATE INDEX s3_restores_ready ON s3_restores (completed, ready_at);
CREATE INDEX s3_restores_expiry ON s3_restores (completed, expiry);
