-- X-Ray's trace store: one row per (account, Region, trace) for listing and retention, one per segment document
CREATE TABLE xray_traces (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    start_time {{double}} NOT NULL,
    PRIMARY KEY (account, region, trace_id)
);
CREATE INDEX xray_traces_start ON xray_traces (start_time);
CREATE INDEX xray_traces_listed ON xray_traces (account, region, start_time);
CREATE TABLE xray_segments (
    trace_id TEXT NOT NULL,
    segment_id TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    start_time {{double}} NOT NULL,
    end_time {{double}} NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (trace_id, segment_id)
);
