-- per sliding-window pump, and tumbling pump over an in-application stream: the rows its windows hold that a
-- restart could not read from the input again (ROWTIME in epoch ms, the row as a JSON array), written with the
-- progress they go with
CREATE TABLE kda_history (
    id {{id_pk}},
    application_id {{bigint}} NOT NULL,
    pump TEXT NOT NULL,
    rowtime {{bigint}} NOT NULL,
    row_json TEXT NOT NULL
);
CREATE INDEX kda_history_pump ON kda_history (application_id, pump, rowtime);
