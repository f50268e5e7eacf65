-- Kinesis Data Analytics SQL applications (kinesisanalytics and kinesisanalyticsv2 share them), every version of
-- their configuration, the running state each started application keeps (input positions, what each pump has
-- already emitted) and the latest rows of each in-application stream (the live view).
CREATE TABLE kda_applications (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    version {{bigint}} NOT NULL,
    created_at {{double}} NOT NULL,
    updated_at {{double}} NOT NULL,
    -- the configuration as JSON: description, code, inputs, outputs, reference data sources, logging options,
    -- runtime environment and service role (v2), the starting positions asked by the last StartApplication
    config TEXT NOT NULL,
    tags TEXT NOT NULL,
    UNIQUE (account, region, name)
);

-- each version's configuration (kinesisanalyticsv2's ListApplicationVersions / DescribeApplicationVersion)
CREATE TABLE kda_versions (
    application_id {{bigint}} NOT NULL,
    version {{bigint}} NOT NULL,
    status TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    config TEXT NOT NULL,
    PRIMARY KEY (application_id, version)
);

-- per pump and source shard: the last sequence number whose rows the pump has emitted (or dropped for good); the
-- input resumes after the lowest of them (LAST_STOPPED_POINT, a restart) and a pump skips what it already emitted
CREATE TABLE kda_positions (
    application_id {{bigint}} NOT NULL,
    pump TEXT NOT NULL,
    shard_id TEXT NOT NULL,
    sequence TEXT NOT NULL,
    PRIMARY KEY (application_id, pump, shard_id)
);

-- per tumbling pump: the end (epoch ms) of the last window it emitted; a window is never emitted twice
CREATE TABLE kda_windows (
    application_id {{bigint}} NOT NULL,
    pump TEXT NOT NULL,
    window_end {{bigint}} NOT NULL,
    PRIMARY KEY (application_id, pump)
);

-- the latest rows of each in-application stream (a bounded number each), for /_gureum/analytics/<application>
CREATE TABLE kda_latest (
    id {{id_pk}},
    application_id {{bigint}} NOT NULL,
    stream TEXT NOT NULL,
    rowtime {{double}} NOT NULL,
    row_json TEXT NOT NULL
);
CREATE INDEX kda_latest_stream ON kda_latest (application_id, stream, id);
