-- Drift detection: each DetectStackDrift's outcome (its stack, status, counts), and the latest drift of each
-- resource (DetectStackDrift or DetectStackResourceDrift).
CREATE TABLE cfn_drift_detections (
    detection_id TEXT PRIMARY KEY,
    stack_id TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX cfn_drift_detections_stack ON cfn_drift_detections (stack_id, created_at);
CREATE TABLE cfn_resource_drifts (
    stack_id TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (stack_id, logical_id)
);
