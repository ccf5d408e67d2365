CREATE TABLE move_tasks (
    handle       TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL,
    source_arn   TEXT NOT NULL,
    dest_arn     TEXT NOT NULL DEFAULT '',
    rate         INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL,
    moved        {{bigint}} NOT NULL DEFAULT 0,
    to_move      {{bigint}} NOT NULL DEFAULT 0,
    reason       TEXT NOT NULL DEFAULT '',
    started_at   {{bigint}} NOT NULL,
    heartbeat_at {{bigint}} NOT NULL
);

CREATE INDEX move_tasks_source ON move_tasks (source_arn, started_at);

-- One active task a source queue.
CREATE UNIQUE INDEX move_tasks_active ON move_tasks (source_arn) WHERE status IN ('RUNNING', 'CANCELLING');

CREATE INDEX move_tasks_heartbeat ON move_tasks (heartbeat_at) WHERE status IN ('RUNNING', 'CANCELLING');
