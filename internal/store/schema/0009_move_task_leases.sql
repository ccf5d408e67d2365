-- Message-move tasks run under leases (kind sqs.move, named by handle): the active tasks stored
-- before leases get a free one, for the first node to claim.
INSERT INTO leases (kind, name, holder, token, expires_at)
SELECT 'sqs.move', handle, '', 0, 0 FROM move_tasks WHERE status IN ('RUNNING', 'CANCELLING');

DROP INDEX move_tasks_heartbeat;
