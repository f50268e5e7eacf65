-- Event source mappings: a function consuming an SQS queue. config holds the mapping's settings as JSON
-- (BatchSize, MaximumBatchingWindowInSeconds, FilterCriteria, FunctionResponseTypes, ScalingConfig, Enabled, …);
-- state is AWS's (Creating, Enabled, Disabling, Disabled, Enabling, Updating, Deleting), moved on by the leader.
CREATE TABLE lambda_event_source_mappings (
    uuid TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    function_arn TEXT NOT NULL,
    source_arn TEXT NOT NULL,
    state TEXT NOT NULL,
    config TEXT NOT NULL
);

CREATE INDEX lambda_esm_function ON lambda_event_source_mappings (function_arn);
CREATE INDEX lambda_esm_source ON lambda_event_source_mappings (source_arn);
