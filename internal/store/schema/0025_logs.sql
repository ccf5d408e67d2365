-- CloudWatch Logs: groups, their streams and the streams' events. Events carry their group and
-- stream keys and are indexed by (stream, time) and (group, time), so GetLogEvents and
-- FilterLogEvents are range scans and the retention sweep deletes a group's oldest events first.
-- A deleted group or stream leaves its events to the sweep (log_dropped), so a delete costs a row
-- whatever the stream held.
CREATE TABLE log_groups (
    id             {{id}},
    account        TEXT NOT NULL,
    name           TEXT NOT NULL,
    created_at     {{bigint}} NOT NULL,
    retention_days INTEGER NOT NULL DEFAULT 0,
    tags           TEXT NOT NULL DEFAULT '{}',
    UNIQUE (account, name)
);

CREATE TABLE log_streams (
    id             {{id}},
    group_id       {{bigint}} NOT NULL,
    name           TEXT NOT NULL,
    created_at     {{bigint}} NOT NULL,
    first_event    {{bigint}} NOT NULL DEFAULT 0,
    last_event     {{bigint}} NOT NULL DEFAULT 0,
    last_ingestion {{bigint}} NOT NULL DEFAULT 0,
    UNIQUE (group_id, name)
);

CREATE INDEX log_streams_last_event ON log_streams (group_id, last_event, name);

CREATE TABLE log_events (
    id        {{id}},
    group_id  {{bigint}} NOT NULL,
    stream_id {{bigint}} NOT NULL,
    ts        {{bigint}} NOT NULL,
    ingested  {{bigint}} NOT NULL,
    message   TEXT NOT NULL
);

CREATE INDEX log_events_stream ON log_events (stream_id, ts, id);
CREATE INDEX log_events_group ON log_events (group_id, ts, id);

-- Groups ('g') and streams ('s') deleted with events left for the sweep.
CREATE TABLE log_dropped (
    kind TEXT NOT NULL,
    id   {{bigint}} NOT NULL,
    PRIMARY KEY (kind, id)
);
