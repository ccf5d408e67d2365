-- SNS: topics, their subscriptions, the FIFO deduplication window and the signing keys (one per
-- region, generated once and kept so that validators that cache certificates keep working).
CREATE TABLE sns_topics (
    arn        TEXT PRIMARY KEY,
    account    TEXT NOT NULL,
    name       TEXT NOT NULL,
    fifo       INTEGER NOT NULL DEFAULT 0,
    attributes TEXT NOT NULL DEFAULT '{}',
    tags       TEXT NOT NULL DEFAULT '{}',
    seq        {{bigint}} NOT NULL DEFAULT 0,
    created_at {{bigint}} NOT NULL
);

CREATE INDEX sns_topics_account ON sns_topics (account, arn);

CREATE TABLE sns_subscriptions (
    arn        TEXT PRIMARY KEY,
    topic_arn  TEXT NOT NULL,
    account    TEXT NOT NULL,
    protocol   TEXT NOT NULL,
    endpoint   TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    token      TEXT NOT NULL DEFAULT '',
    pending    INTEGER NOT NULL DEFAULT 0,
    created_at {{bigint}} NOT NULL
);

CREATE INDEX sns_subscriptions_topic ON sns_subscriptions (topic_arn, arn);
CREATE INDEX sns_subscriptions_account ON sns_subscriptions (account, arn);

CREATE TABLE sns_dedup (
    topic_arn  TEXT NOT NULL,
    dedup_id   TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seq        {{bigint}} NOT NULL DEFAULT 0,
    expires_at {{bigint}} NOT NULL,
    PRIMARY KEY (topic_arn, dedup_id)
);

CREATE INDEX sns_dedup_expiry ON sns_dedup (expires_at);

CREATE TABLE sns_keys (
    region     TEXT PRIMARY KEY,
    key_der    {{blob}} NOT NULL,
    created_at {{bigint}} NOT NULL
);
