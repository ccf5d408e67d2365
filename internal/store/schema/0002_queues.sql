CREATE TABLE queues (
    id          {{id}},
    account_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    fifo        INTEGER NOT NULL,
    attributes  TEXT NOT NULL,
    tags        TEXT NOT NULL,
    dlq_target  TEXT NOT NULL DEFAULT '',
    created_at  {{bigint}} NOT NULL,
    modified_at {{bigint}} NOT NULL,
    purged_at   {{bigint}} NOT NULL DEFAULT 0,
    UNIQUE (account_id, name)
);

CREATE INDEX queues_dlq_target ON queues (dlq_target);

CREATE TABLE deleted_queues (
    account_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    deleted_at {{bigint}} NOT NULL,
    PRIMARY KEY (account_id, name)
);

CREATE TABLE messages (
    seq               {{id}},
    queue_id          {{bigint}} NOT NULL,
    id                TEXT NOT NULL,
    body              {{blob}} NOT NULL,
    attributes        {{blob}},
    system_attributes {{blob}},
    md5_body          TEXT NOT NULL,
    md5_attributes    TEXT NOT NULL,
    md5_system        TEXT NOT NULL,
    sender_id         TEXT NOT NULL,
    sent_at           {{bigint}} NOT NULL,
    visible_at        {{bigint}} NOT NULL,
    expires_at        {{bigint}} NOT NULL,
    receive_count     INTEGER NOT NULL DEFAULT 0,
    first_receive_at  {{bigint}} NOT NULL DEFAULT 0,
    receipt_token     TEXT NOT NULL DEFAULT '',
    group_id          TEXT NOT NULL DEFAULT '',
    dedup_id          TEXT NOT NULL DEFAULT '',
    dlq_source        TEXT NOT NULL DEFAULT ''
);

CREATE INDEX messages_visible ON messages (queue_id, visible_at, seq);
CREATE INDEX messages_expires ON messages (expires_at);

CREATE TABLE fifo_dedup (
    queue_id   {{bigint}} NOT NULL,
    scope      TEXT NOT NULL,
    dedup_id   TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seq        {{bigint}} NOT NULL,
    expires_at {{bigint}} NOT NULL,
    PRIMARY KEY (queue_id, scope, dedup_id)
);

CREATE INDEX fifo_dedup_expires ON fifo_dedup (expires_at);
