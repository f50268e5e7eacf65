-- API Gateway REST APIs. An API's whole definition (resources, methods, integrations, models, validators,
-- authorizers, gateway responses) is one JSON document; a deployment keeps an immutable snapshot of it, which
-- its stages serve. api_id is unique across accounts: the execute-api host names only the id.
CREATE TABLE apigateway_apis (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    api_id TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL,
    created_at {{bigint}} NOT NULL
);

CREATE TABLE apigateway_deployments (
    id {{id_pk}},
    api_id TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    UNIQUE (api_id, deployment_id)
);

CREATE TABLE apigateway_stages (
    id {{id_pk}},
    api_id TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (api_id, name)
);

-- account-level objects: API keys (lookup = the key's value) and usage plans
CREATE TABLE apigateway_entities (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    lookup TEXT,
    doc TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    UNIQUE (account, region, kind, entity_id)
);
CREATE INDEX apigateway_entities_lookup ON apigateway_entities (kind, lookup);

-- requests counted against a usage plan's quota, per key and quota period (e.g. "DAY:2026-11-25")
CREATE TABLE apigateway_usage (
    id {{id_pk}},
    plan_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    period TEXT NOT NULL,
    used {{bigint}} NOT NULL,
    UNIQUE (plan_id, key_id, period)
);
