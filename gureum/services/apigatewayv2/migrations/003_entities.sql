-- Account-level objects of HTTP and WebSocket APIs: VPC links and custom domain names (a name is global, as in
-- DNS), and API mappings, kept under their domain name (parent_id).
CREATE TABLE apigwv2_entities (
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    PRIMARY KEY (kind, entity_id)
);

CREATE INDEX apigwv2_entities_owner ON apigwv2_entities (account, region, kind, created_at);
CREATE INDEX apigwv2_entities_parent ON apigwv2_entities (parent_id, kind);
