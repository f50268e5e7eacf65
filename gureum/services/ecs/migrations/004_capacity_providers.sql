-- EC2-style capacity providers (their Auto Scaling group stored; tasks placed with them run on this machine).
CREATE TABLE ecs_capacity_providers (
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (account, region, name)
);
