-- An event bus's LogConfig (CreateEventBus / UpdateEventBus, returned by DescribeEventBus); NULL when not set.
ALTER TABLE events_buses ADD COLUMN log_config TEXT;
