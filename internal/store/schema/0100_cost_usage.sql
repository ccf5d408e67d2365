-- The cost ledger: what each function version and file system used on one UTC day, as counters
-- that writes only add to. requests counts invocations; mb_ms is memory (MB) × billed duration
-- (ms), exact, from which GB-seconds are MB·ms / 1024 / 1000; ephemeral_mb_ms is the ephemeral
-- storage configured above 512 MB × billed duration; byte_seconds is EFS's stored bytes × the
-- seconds each sample stands for. version and architecture are '' for a file system.
CREATE TABLE cost_usage (
    account         TEXT NOT NULL,
    region          TEXT NOT NULL,
    day             TEXT NOT NULL,
    service         TEXT NOT NULL,
    resource        TEXT NOT NULL,
    version         TEXT NOT NULL,
    architecture    TEXT NOT NULL,
    requests        {{bigint}} NOT NULL,
    mb_ms           {{bigint}} NOT NULL,
    ephemeral_mb_ms {{bigint}} NOT NULL,
    byte_seconds    {{bigint}} NOT NULL,
    PRIMARY KEY (account, region, day, service, resource, version, architecture)
);

CREATE INDEX cost_usage_by_day ON cost_usage (day);
