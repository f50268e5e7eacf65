-- CloudFormation: stacks (a document each: template, parameters, outputs, the operation's target and the state to
-- roll back to), their resources, events, exports, change sets and custom resource responses.
CREATE TABLE cfn_stacks (
    id {{id_pk}},
    stack_id TEXT NOT NULL UNIQUE,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    created_at {{double}} NOT NULL,
    updated_at {{double}},
    deleted_at {{double}},
    doc TEXT NOT NULL,
    driver TEXT,
    lease_until {{double}}
);
CREATE INDEX cfn_stacks_name ON cfn_stacks (account, region, name);
CREATE INDEX cfn_stacks_status ON cfn_stacks (status);

CREATE TABLE cfn_resources (
    stack_id TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    type TEXT NOT NULL,
    physical_id TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    updated_at {{double}} NOT NULL,
    props TEXT NOT NULL,
    attrs TEXT NOT NULL,
    deps TEXT NOT NULL,
    policy TEXT NOT NULL,
    retired TEXT NOT NULL,
    PRIMARY KEY (stack_id, logical_id)
);

CREATE TABLE cfn_events (
    id {{id_pk}},
    stack_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    ts {{double}} NOT NULL,
    logical_id TEXT NOT NULL,
    physical_id TEXT,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    props TEXT
);
CREATE INDEX cfn_events_stack ON cfn_events (stack_id, id);

CREATE TABLE cfn_exports (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    stack_id TEXT NOT NULL,
    PRIMARY KEY (account, region, name)
);

CREATE TABLE cfn_change_sets (
    id {{id_pk}},
    arn TEXT NOT NULL UNIQUE,
    stack_id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    execution_status TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX cfn_change_sets_stack ON cfn_change_sets (stack_id, name);

CREATE TABLE cfn_custom_responses (
    token TEXT PRIMARY KEY,
    body TEXT,
    created_at {{double}} NOT NULL
);
