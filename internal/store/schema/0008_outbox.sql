-- The outbox: deliveries recorded in the transaction of the change that causes them, delivered
-- after (at least once) by whichever node claims them. A claim pushes not_before forward, so a
-- node that dies while delivering leaves the delivery due again; dead deliveries stay, with their
-- last error, until removed.
CREATE TABLE outbox (
    id         {{id}},
    kind       TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    payload    {{blob}} NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    not_before {{bigint}} NOT NULL,
    created_at {{bigint}} NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    dead       INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX outbox_due ON outbox (dead, not_before, id);
