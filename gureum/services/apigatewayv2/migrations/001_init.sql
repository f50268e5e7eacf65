-- API Gateway HTTP and WebSocket APIs: one row per API, one per sub-resource (route, integration, authorizer,
-- stage, deployment, model, route/integration response; doc holds the AWS members as JSON), and the live
-- WebSocket connections with the node that holds each socket.
CREATE TABLE apigwv2_apis (
    api_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_at {{double}} NOT NULL
);

CREATE INDEX apigwv2_apis_owner ON apigwv2_apis (account, region, created_at);

CREATE TABLE apigwv2_items (
    api_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    PRIMARY KEY (api_id, kind, item_id)
);

CREATE TABLE apigwv2_connections (
    connection_id TEXT PRIMARY KEY,
    api_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    node TEXT NOT NULL,
    doc TEXT NOT NULL
);
