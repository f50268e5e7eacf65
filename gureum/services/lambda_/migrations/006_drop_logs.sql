-- Function output now lands in CloudWatch Logs (the "logs" delivery target); this table is no longer written.
DROP TABLE lambda_logs;
