-- Point-in-time recovery (DynamoDB): every write of a table whose continuous backups are on
-- keeps the item's new version (doc NULL: deleted) in the transaction of the write, and turning
-- them on records every item as it then is. The item at a time is its last version made at or
-- before it; versions superseded before the recovery window are compacted away.
CREATE TABLE ddb_item_versions (
    seq      {{id}},
    table_id {{bigint}} NOT NULL,
    pk       {{blob}} NOT NULL,
    sk       {{blob}} NOT NULL,
    doc      {{blob}},
    made_at  {{bigint}} NOT NULL
);
CREATE INDEX ddb_item_versions_key ON ddb_item_versions (table_id, pk, sk, seq);
