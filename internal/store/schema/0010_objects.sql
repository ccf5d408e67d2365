-- S3 buckets: names are global across accounts. configs holds each sub-resource's document
-- (tagging, cors, policy, website, lifecycle, notification, acl, ownership, public access block,
-- encryption) as JSON {kind: document}.
CREATE TABLE buckets (
    name        TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    region      TEXT NOT NULL,
    versioning  TEXT NOT NULL DEFAULT '',
    configs     TEXT NOT NULL DEFAULT '{}',
    created_at  {{bigint}} NOT NULL
);

CREATE INDEX buckets_account ON buckets (account_id, name);

-- Object versions. Keys are bytes so that both backends order them byte-wise (S3's order), not
-- by a collation. An unversioned object has version_id 'null'. seq orders a key's versions
-- (newest highest); is_latest marks the current one, which may be a delete marker. data is the
-- object's blobs as JSON [{"ref","size"}] (one for PUT, one a part for multipart), or '[]' with
-- the bytes of a small object in inline; meta the rest.
CREATE TABLE objects (
    bucket        TEXT NOT NULL,
    okey          {{blob}} NOT NULL,
    version_id    TEXT NOT NULL,
    seq           {{bigint}} NOT NULL,
    is_latest     INTEGER NOT NULL,
    delete_marker INTEGER NOT NULL,
    size          {{bigint}} NOT NULL,
    etag          TEXT NOT NULL,
    modified_at   {{bigint}} NOT NULL,
    data          TEXT NOT NULL,
    meta          TEXT NOT NULL,
    inline        {{blob}},
    PRIMARY KEY (bucket, okey, version_id)
);

-- Listing the current objects walks this index by key from a start point: a range scan.
CREATE INDEX objects_current ON objects (bucket, okey) WHERE is_latest = 1 AND delete_marker = 0;
CREATE INDEX objects_versions ON objects (bucket, okey, seq);

CREATE TABLE uploads (
    upload_id   TEXT PRIMARY KEY,
    bucket      TEXT NOT NULL,
    okey        {{blob}} NOT NULL,
    initiated   {{bigint}} NOT NULL,
    meta        TEXT NOT NULL
);

CREATE INDEX uploads_bucket ON uploads (bucket, okey, initiated);

CREATE TABLE parts (
    upload_id   TEXT NOT NULL,
    part_number INTEGER NOT NULL,
    size        {{bigint}} NOT NULL,
    etag        TEXT NOT NULL,
    blob_ref    TEXT NOT NULL,
    checksum    TEXT NOT NULL DEFAULT '',
    modified_at {{bigint}} NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);
