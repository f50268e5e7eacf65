-- SES: an event destination's other targets — a Firehose delivery stream (and the role SES writes to it as), the
-- CloudWatch dimension configurations (kept as given) and SES v2's Pinpoint application.
ALTER TABLE ses_event_destinations ADD COLUMN firehose TEXT;
ALTER TABLE ses_event_destinations ADD COLUMN cloudwatch TEXT;
ALTER TABLE ses_event_destinations ADD COLUMN pinpoint TEXT;
