-- IAM entities: users, groups and roles. Kind-specific fields are columns left empty by the others.
CREATE TABLE iam_entities (
    account_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    name_key     TEXT NOT NULL, -- the name lower-cased: IAM names are unique regardless of case
    name         TEXT NOT NULL,
    id           TEXT NOT NULL,
    path         TEXT NOT NULL,
    arn          TEXT NOT NULL,
    created_at   {{bigint}} NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    trust_policy TEXT NOT NULL DEFAULT '',
    max_session  INTEGER NOT NULL DEFAULT 0,
    boundary     TEXT NOT NULL DEFAULT '',
    tags         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, kind, name_key)
);

CREATE TABLE iam_inline_policies (
    account_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    entity     TEXT NOT NULL,
    name       TEXT NOT NULL,
    document   TEXT NOT NULL,
    PRIMARY KEY (account_id, kind, entity, name)
);

CREATE TABLE iam_group_members (
    account_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    user_name  TEXT NOT NULL,
    PRIMARY KEY (account_id, group_name, user_name)
);

CREATE INDEX iam_group_members_user ON iam_group_members (account_id, user_name);

CREATE TABLE iam_policies (
    arn             TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    name            TEXT NOT NULL,
    id              TEXT NOT NULL,
    path            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    default_version TEXT NOT NULL,
    next_version    INTEGER NOT NULL,
    tags            TEXT NOT NULL DEFAULT '[]',
    created_at      {{bigint}} NOT NULL,
    updated_at      {{bigint}} NOT NULL
);

CREATE INDEX iam_policies_account ON iam_policies (account_id, name);

CREATE TABLE iam_policy_versions (
    policy_arn TEXT NOT NULL,
    version_id TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    document   TEXT NOT NULL,
    created_at {{bigint}} NOT NULL,
    PRIMARY KEY (policy_arn, version_id)
);

CREATE TABLE iam_attachments (
    account_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    entity     TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    PRIMARY KEY (account_id, kind, entity, policy_arn)
);

CREATE INDEX iam_attachments_policy ON iam_attachments (policy_arn);

-- Long-term keys set Inactive wait here, out of access_keys, so that they do not authenticate.
CREATE TABLE iam_inactive_keys (
    id            TEXT PRIMARY KEY,
    secret        TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    principal_arn TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    created_at    {{bigint}} NOT NULL
);

CREATE INDEX iam_inactive_keys_account ON iam_inactive_keys (account_id);

-- What an STS session carries beyond its access key.
CREATE TABLE iam_sessions (
    access_key_id   TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    role_arn        TEXT NOT NULL,
    session_name    TEXT NOT NULL,
    source_identity TEXT NOT NULL,
    policies        TEXT NOT NULL, -- JSON list of documents
    has_policies    INTEGER NOT NULL,
    tags            TEXT NOT NULL,
    transitive_keys TEXT NOT NULL,
    chained         INTEGER NOT NULL,
    expires_at      {{bigint}} NOT NULL
);

CREATE INDEX iam_sessions_expiry ON iam_sessions (expires_at);

CREATE TABLE server_secrets (
    name   TEXT PRIMARY KEY,
    secret TEXT NOT NULL
);

-- One row whose counter every identity write increments; nodes poll it to drop cached policies.
CREATE TABLE iam_generation (
    id         INTEGER PRIMARY KEY,
    generation {{bigint}} NOT NULL
);

INSERT INTO iam_generation (id, generation) VALUES (1, 0);
