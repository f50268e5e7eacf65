-- ECS's control plane: clusters, task definition revisions (and each family's next revision), account settings.
CREATE TABLE ecs_clusters (
    id {{id_pk}},
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    settings TEXT NOT NULL,
    configuration TEXT,
    capacity_providers TEXT NOT NULL,
    strategy TEXT NOT NULL,
    service_connect TEXT,
    tags TEXT NOT NULL,
    UNIQUE (account, region, name)
);

CREATE TABLE ecs_families (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    family TEXT NOT NULL,
    next_revision INTEGER NOT NULL,
    PRIMARY KEY (account, region, family)
);

CREATE TABLE ecs_task_definitions (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    family TEXT NOT NULL,
    revision INTEGER NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    tags TEXT NOT NULL,
    registered_at {{double}} NOT NULL,
    PRIMARY KEY (account, region, family, revision)
);

-- principal '' is the account's default (PutAccountSettingDefault)
CREATE TABLE ecs_account_settings (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    principal TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (account, region, principal, name)
);
