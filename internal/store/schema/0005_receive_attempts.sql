-- A FIFO receive made with a ReceiveRequestAttemptId is recorded here, in the receive's own
-- transaction, so a retry of it within five minutes gets the same messages and receipt handles
-- from any node of a cluster and after a restart. handles lists the delivered messages as
-- "seq:token" pairs, comma-separated.
CREATE TABLE receive_attempts (
    queue_id   {{bigint}} NOT NULL,
    attempt    TEXT NOT NULL,
    handles    TEXT NOT NULL,
    expires_at {{bigint}} NOT NULL,
    PRIMARY KEY (queue_id, attempt)
);

CREATE INDEX receive_attempts_expires ON receive_attempts (expires_at);
