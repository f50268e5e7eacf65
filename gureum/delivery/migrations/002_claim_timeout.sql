-- How long one attempt of this row may take (ms) when the producer knows better than the target kind's default,
-- e.g. a function's own timeout: a node that dies mid-attempt holds the row no longer than that.
ALTER TABLE delivery_outbox ADD COLUMN claim_ms {{bigint}};
