-- EventBridge archives, the events they keep (one row per event id) and replays. doc is the
-- service's JSON description.
CREATE TABLE event_archives (
    account    TEXT NOT NULL,
    name       TEXT NOT NULL,
    doc        {{blob}} NOT NULL,
    created_at {{bigint}} NOT NULL,
    PRIMARY KEY (account, name)
);

CREATE TABLE event_archive_events (
    account  TEXT NOT NULL,
    archive  TEXT NOT NULL,
    id       TEXT NOT NULL,
    at       {{bigint}} NOT NULL,
    event    {{blob}} NOT NULL,
    PRIMARY KEY (account, archive, id)
);

CREATE INDEX event_archive_events_time ON event_archive_events (account, archive, at);

CREATE TABLE event_replays (
    account TEXT NOT NULL,
    name    TEXT NOT NULL,
    doc     {{blob}} NOT NULL,
    PRIMARY KEY (account, name)
);
