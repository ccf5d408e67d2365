-- FIFO receives walk a queue's messages in send order and stop at the first few deliverable
-- ones; without this index they sorted the queue's whole visible range at every receive, which
-- cost the queue's depth. Only FIFO messages have a group.
CREATE INDEX messages_fifo ON messages (queue_id, seq) WHERE group_id <> '';
