CREATE TABLE accounts (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at {{bigint}} NOT NULL
);

CREATE TABLE access_keys (
    id            TEXT PRIMARY KEY,
    secret        TEXT NOT NULL,
    session_token TEXT NOT NULL DEFAULT '',
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    principal_arn TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    expires_at    {{bigint}} NOT NULL DEFAULT 0,
    created_at    {{bigint}} NOT NULL
);

CREATE INDEX access_keys_account ON access_keys (account_id);
