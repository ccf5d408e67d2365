-- API Gateway (REST APIs, v1): control-plane objects as documents, API keys, usage plan keys and
-- the quota counters the data plane consumes.
CREATE TABLE apigw_objects (
    kind       TEXT NOT NULL,
    parent     TEXT NOT NULL,
    id         TEXT NOT NULL,
    account_id TEXT NOT NULL,
    version    {{bigint}} NOT NULL,
    doc        {{blob}} NOT NULL,
    created_at {{bigint}} NOT NULL,
    PRIMARY KEY (kind, parent, id)
);

CREATE INDEX apigw_objects_account ON apigw_objects (account_id, kind, parent, id);

CREATE TABLE apigw_keys (
    id         TEXT NOT NULL PRIMARY KEY,
    account_id TEXT NOT NULL,
    value      TEXT NOT NULL,
    enabled    INTEGER NOT NULL,
    doc        {{blob}} NOT NULL,
    created_at {{bigint}} NOT NULL,
    UNIQUE (account_id, value)
);

CREATE TABLE apigw_plan_keys (
    account_id TEXT NOT NULL,
    plan_id    TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    PRIMARY KEY (plan_id, key_id)
);

CREATE INDEX apigw_plan_keys_key ON apigw_plan_keys (key_id);

-- A key's requests under a plan in one quota period (its start, YYYY-MM-DD), and what
-- UpdateUsage granted beyond the plan's limit in it.
CREATE TABLE apigw_quota (
    plan_id TEXT NOT NULL,
    key_id  TEXT NOT NULL,
    period  TEXT NOT NULL,
    used    {{bigint}} NOT NULL,
    granted {{bigint}} NOT NULL DEFAULT 0,
    PRIMARY KEY (plan_id, key_id, period)
);

-- A key's requests under a plan per UTC day, for GetUsage.
CREATE TABLE apigw_usage (
    plan_id TEXT NOT NULL,
    key_id  TEXT NOT NULL,
    day     TEXT NOT NULL,
    used    {{bigint}} NOT NULL,
    PRIMARY KEY (plan_id, key_id, day)
);
