-- EFS: file systems, access points and mount targets of each account, each a JSON document under
-- an optimistic revision. fs_id is the file system a resource belongs to (a file system's own id
-- for itself); token is a file system's CreationToken or an access point's ClientToken, unique
-- per account and kind when given.
CREATE TABLE efs_resources (
    account    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    fs_id      TEXT NOT NULL,
    token      TEXT NOT NULL,
    rev        {{bigint}} NOT NULL,
    doc        {{blob}} NOT NULL,
    created_at {{bigint}} NOT NULL,
    PRIMARY KEY (account, kind, id)
);

CREATE UNIQUE INDEX efs_tokens ON efs_resources (account, kind, token) WHERE token <> '';
CREATE INDEX efs_by_file_system ON efs_resources (account, fs_id, kind);
