-- EventBridge Scheduler: schedule groups and schedules, as event rules are kept (0035).
CREATE TABLE schedule_groups (
    account    TEXT NOT NULL,
    name       TEXT NOT NULL,
    doc        {{blob}} NOT NULL,
    created_at {{bigint}} NOT NULL,
    PRIMARY KEY (account, name)
);

CREATE TABLE schedules (
    account    TEXT NOT NULL,
    grp        TEXT NOT NULL,
    name       TEXT NOT NULL,
    doc        {{blob}} NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 0,
    version    {{bigint}} NOT NULL DEFAULT 1,
    last_fired {{bigint}} NOT NULL DEFAULT 0,
    created_at {{bigint}} NOT NULL,
    PRIMARY KEY (account, grp, name)
);

CREATE INDEX schedules_enabled ON schedules (enabled);
