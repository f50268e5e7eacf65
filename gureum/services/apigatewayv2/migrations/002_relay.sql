-- Management API calls for a socket another node holds: the node that answered the call writes a row and
-- notifies; the node holding the socket takes its rows and acts on them.
CREATE TABLE apigwv2_relay (
    id {{id_pk}},
    node TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    action TEXT NOT NULL,
    data {{blob}} NOT NULL
);

CREATE INDEX apigwv2_relay_node ON apigwv2_relay (node, id);
