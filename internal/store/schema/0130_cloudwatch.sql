-- CloudWatch metrics: every datum as a statistic set (count, sum, min, max) of one metric at one
-- time; dims is the canonical dimension string (name=value lines sorted by name).
CREATE TABLE cw_points (
    id        {{id}},
    account   TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    dims      TEXT NOT NULL,
    ts        {{bigint}} NOT NULL,
    cnt       DOUBLE PRECISION NOT NULL,
    total     DOUBLE PRECISION NOT NULL,
    lo        DOUBLE PRECISION NOT NULL,
    hi        DOUBLE PRECISION NOT NULL,
    unit      TEXT NOT NULL
);

CREATE INDEX cw_points_by_metric ON cw_points (account, namespace, name, dims, ts);
CREATE INDEX cw_points_by_time ON cw_points (ts);

-- The metrics that have data, for ListMetrics; updated_at is the latest datum's arrival.
CREATE TABLE cw_metrics (
    account    TEXT NOT NULL,
    namespace  TEXT NOT NULL,
    name       TEXT NOT NULL,
    dims       TEXT NOT NULL,
    updated_at {{bigint}} NOT NULL,
    PRIMARY KEY (account, namespace, name, dims)
);

-- Alarms: the cloudwatch package's document under an optimistic revision.
CREATE TABLE cw_alarms (
    account TEXT NOT NULL,
    name    TEXT NOT NULL,
    rev     {{bigint}} NOT NULL,
    doc     TEXT NOT NULL,
    PRIMARY KEY (account, name)
);

CREATE TABLE cw_alarm_history (
    id      {{id}},
    account TEXT NOT NULL,
    name    TEXT NOT NULL,
    ts      {{bigint}} NOT NULL,
    type    TEXT NOT NULL,
    summary TEXT NOT NULL,
    data    TEXT NOT NULL
);

CREATE INDEX cw_alarm_history_by_alarm ON cw_alarm_history (account, name, ts);
CREATE INDEX cw_alarm_history_by_time ON cw_alarm_history (account, ts);
