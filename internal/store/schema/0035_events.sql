-- EventBridge: event buses and their rules. doc is the service's JSON description (pattern,
-- schedule, state, targets, tags); scheduled marks an enabled rule with a schedule expression;
-- version rises at every save (compare-and-set); last_fired is the scheduled time of the last fire.
CREATE TABLE event_buses (
    account    TEXT NOT NULL,
    name       TEXT NOT NULL,
    doc        {{blob}} NOT NULL,
    created_at {{bigint}} NOT NULL,
    PRIMARY KEY (account, name)
);

CREATE TABLE event_rules (
    account    TEXT NOT NULL,
    bus        TEXT NOT NULL,
    name       TEXT NOT NULL,
    doc        {{blob}} NOT NULL,
    scheduled  INTEGER NOT NULL DEFAULT 0,
    version    {{bigint}} NOT NULL DEFAULT 1,
    last_fired {{bigint}} NOT NULL DEFAULT 0,
    created_at {{bigint}} NOT NULL,
    PRIMARY KEY (account, bus, name)
);

CREATE INDEX event_rules_scheduled ON event_rules (scheduled);
