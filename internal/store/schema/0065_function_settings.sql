-- Lambda's per-function settings kept as the service's own documents (kind names what they are:
-- "event-invoke" for a qualifier's asynchronous invocation configuration), and event source
-- mappings, each a document under its UUID with the function and source it joins.
CREATE TABLE function_settings (
    account_id  TEXT NOT NULL,
    function    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    config      {{blob}} NOT NULL,
    modified_at {{bigint}} NOT NULL,
    PRIMARY KEY (account_id, function, kind, name)
);

CREATE TABLE event_source_mappings (
    uuid        TEXT NOT NULL PRIMARY KEY,
    account_id  TEXT NOT NULL,
    function    TEXT NOT NULL,
    source_arn  TEXT NOT NULL,
    config      {{blob}} NOT NULL,
    modified_at {{bigint}} NOT NULL
);

CREATE INDEX event_source_mappings_account ON event_source_mappings (account_id, uuid);
