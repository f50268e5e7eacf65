-- the stop code a stop request carries (UserInitiated for StopTask, ServiceSchedulerInitiated for a service's)
ALTER TABLE ecs_tasks ADD COLUMN stop_code TEXT;
