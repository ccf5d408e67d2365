-- ApproximateNumberOfMessages and its siblings count a queue's messages by visibility, receive
-- count and expiry. With those columns in messages_visible the count reads the index alone, not
-- every message row (bodies included) of the queue. Receives rewrite the entry already (they move
-- visible_at), so keeping receive_count in it costs no extra index write.
DROP INDEX messages_visible;
CREATE INDEX messages_visible ON messages (queue_id, visible_at, seq, receive_count, expires_at);
