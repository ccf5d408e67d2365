-- Leases: a piece of background work (kind, name) and the node that holds it until expires_at.
-- A free lease has no holder and expires_at 0 (or the time before which nobody may take it);
-- token rises at every hand-over, so a node that lost its lease can tell.
CREATE TABLE leases (
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    holder     TEXT NOT NULL DEFAULT '',
    token      {{bigint}} NOT NULL DEFAULT 0,
    expires_at {{bigint}} NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, name)
);

CREATE INDEX leases_expiry ON leases (kind, expires_at);
