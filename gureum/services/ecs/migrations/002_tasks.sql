-- ECS tasks: the Task document DescribeTasks answers (body, with gureum's private part under "_gureum"), the
-- status columns the API and the runners read, and which container engine runs the task (owner).
CREATE TABLE ecs_tasks (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    cluster TEXT NOT NULL,
    family TEXT NOT NULL,
    last_status TEXT NOT NULL,
    desired_status TEXT NOT NULL,
    stop_reason TEXT,
    started_by TEXT,
    launch_type TEXT,
    owner TEXT NOT NULL,
    created_at {{double}} NOT NULL,
    stopped_at {{double}},
    body TEXT NOT NULL
);
CREATE INDEX ecs_tasks_cluster ON ecs_tasks (account, region, cluster, last_status);
CREATE INDEX ecs_tasks_owner ON ecs_tasks (owner, last_status);
