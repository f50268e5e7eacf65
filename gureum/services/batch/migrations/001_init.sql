-- AWS Batch: compute environments, job queues, job definition revisions and scheduling policies (kind 'ce', 'jq',
-- 'jd', 'sp': the document Describe* answers in body), and jobs (the JobDetail document in body, with gureum's
-- private part under "_gureum"; the columns the scheduler and ListJobs read; stop_kind/stop_reason: a CancelJob or
-- TerminateJob the scheduler has yet to carry out, written apart from the body the scheduler rewrites).
CREATE TABLE batch_resources (
    arn TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    revision INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX batch_resources_name ON batch_resources (account, region, kind, name, revision);

CREATE TABLE batch_jobs (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    queue TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    parent TEXT,
    created_at {{double}} NOT NULL,
    share TEXT,
    priority INTEGER NOT NULL,
    ce TEXT,
    vcpus {{double}} NOT NULL,
    memory INTEGER NOT NULL,
    definition TEXT NOT NULL,
    stop_kind TEXT,
    stop_reason TEXT,
    body TEXT NOT NULL
);
CREATE INDEX batch_jobs_queue ON batch_jobs (account, region, queue, status, created_at);
CREATE INDEX batch_jobs_status ON batch_jobs (status);
CREATE INDEX batch_jobs_parent ON batch_jobs (parent, status);
