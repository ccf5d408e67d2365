-- DynamoDB tables (the service's document under rev) and their items. Keys are the byte
-- encodings of the key values (internal/dynamodb/attr: S as UTF-8, B as is, N as an
-- order-preserving decimal encoding), so both backends order them as DynamoDB does: SQLite
-- compares BLOBs with memcmp, PostgreSQL compares bytea bytewise.
CREATE TABLE ddb_tables (
    id         {{id}},
    account_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    rev        {{bigint}} NOT NULL,
    doc        {{blob}} NOT NULL,
    created_at {{bigint}} NOT NULL,
    UNIQUE (account_id, name)
);

-- Items by (table, partition key, sort key): a query is a range scan of the primary key.
-- expires is the TTL attribute's value in epoch seconds (0: none), for the TTL sweep.
CREATE TABLE ddb_items (
    table_id {{bigint}} NOT NULL,
    pk       {{blob}} NOT NULL,
    sk       {{blob}} NOT NULL,
    doc      {{blob}} NOT NULL,
    expires  {{bigint}} NOT NULL,
    PRIMARY KEY (table_id, pk, sk)
);
CREATE INDEX ddb_items_expires ON ddb_items (expires) WHERE expires > 0;

-- Items' entries in secondary indexes: ord is the tuple encoding of (index sort key, table
-- key), so an index query is a range scan here too, in DynamoDB's order.
CREATE TABLE ddb_index_entries (
    table_id   {{bigint}} NOT NULL,
    index_name TEXT NOT NULL,
    ipk        {{blob}} NOT NULL,
    ord        {{blob}} NOT NULL,
    pk         {{blob}} NOT NULL,
    sk         {{blob}} NOT NULL,
    PRIMARY KEY (table_id, index_name, ipk, ord)
);
CREATE INDEX ddb_index_entries_item ON ddb_index_entries (table_id, pk, sk);

-- ClientRequestTokens of TransactWriteItems, kept ten minutes.
CREATE TABLE ddb_tokens (
    account_id TEXT NOT NULL,
    token      TEXT NOT NULL,
    hash       {{blob}} NOT NULL,
    created_at {{bigint}} NOT NULL,
    PRIMARY KEY (account_id, token)
);

-- Stream records (DynamoDB Streams), written in the transaction of the change they record and
-- kept 24 hours. seq orders them across every table; label names the stream.
CREATE TABLE ddb_stream_records (
    seq        {{id}},
    table_id   {{bigint}} NOT NULL,
    label      TEXT NOT NULL,
    doc        {{blob}} NOT NULL,
    created_at {{bigint}} NOT NULL
);
CREATE INDEX ddb_stream_records_stream ON ddb_stream_records (table_id, label, seq);
CREATE INDEX ddb_stream_records_created ON ddb_stream_records (created_at);
