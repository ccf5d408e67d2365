CREATE TABLE functions (
    account_id   TEXT NOT NULL,
    name         TEXT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '{}',
    reserved     INTEGER NOT NULL DEFAULT -1,
    next_version INTEGER NOT NULL DEFAULT 1,
    created_at   {{bigint}} NOT NULL,
    PRIMARY KEY (account_id, name)
);

CREATE TABLE function_versions (
    account_id  TEXT NOT NULL,
    function    TEXT NOT NULL,
    version     TEXT NOT NULL,
    config      {{blob}} NOT NULL,
    code_ref    TEXT NOT NULL,
    code_sha256 TEXT NOT NULL,
    code_size   {{bigint}} NOT NULL,
    revision_id TEXT NOT NULL,
    modified_at {{bigint}} NOT NULL,
    PRIMARY KEY (account_id, function, version)
);

CREATE TABLE function_aliases (
    account_id  TEXT NOT NULL,
    function    TEXT NOT NULL,
    name        TEXT NOT NULL,
    config      {{blob}} NOT NULL,
    revision_id TEXT NOT NULL,
    PRIMARY KEY (account_id, function, name)
);
