-- Blobs kept in the database, for nodes that share PostgreSQL (postgres.Blobs): one row per
-- blob, written with its chunks in one transaction, and its data as chunks of at most 1 MiB in
-- order of seq. A deleted blob keeps its chunks, for readers that opened it before, until a sweep
-- drops them (deleted_at, nanoseconds). space separates the services' blobs (s3, lambda) so that each one's orphan sweep
-- sees only its own. The embedded SQLite store keeps blobs as files (blob.Files) and leaves these
-- tables empty.
CREATE TABLE blobs (
    ref        TEXT PRIMARY KEY,
    space      TEXT NOT NULL,
    size       {{bigint}} NOT NULL,
    chunk_size INTEGER NOT NULL,
    created_at {{bigint}} NOT NULL,
    deleted_at {{bigint}}
);

CREATE INDEX blobs_by_space ON blobs (space, created_at);
CREATE INDEX blobs_deleted ON blobs (deleted_at);

CREATE TABLE blob_chunks (
    ref  TEXT NOT NULL,
    seq  INTEGER NOT NULL,
    data {{blob}} NOT NULL,
    PRIMARY KEY (ref, seq)
);
