-- A standard queue's receive takes visible messages in the order they were sent (store.visible_candidates):
-- walk the queue's rows by id and stop at the first ones visible, instead of sorting every visible message.
CREATE INDEX sqs_messages_order ON sqs_messages (queue_id, id);
