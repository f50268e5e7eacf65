-- ECS services: the Service document (deployments, events, counts; gureum's private part under "_gureum").
CREATE TABLE ecs_services (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    cluster TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (account, region, cluster, name)
);
CREATE INDEX ecs_services_status ON ecs_services (status);
