-- Records of the secrets services: KMS keys and aliases, SSM parameters, Secrets Manager
-- secrets. doc is the service's own document under rev, raised at every update (an optimistic
-- lock: an update names the rev it read). A doc never holds a secret in the clear: KMS key
-- material is wrapped by the master key, parameter and secret values are KMS ciphertexts.
CREATE TABLE secret_records (
    kind       TEXT NOT NULL,
    account_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    rev        {{bigint}} NOT NULL,
    doc        {{blob}} NOT NULL,
    updated_at {{bigint}} NOT NULL,
    PRIMARY KEY (kind, account_id, name)
);

-- The KMS master key of nodes that share a PostgreSQL database (one row, id 1). An embedded
-- SQLite server keeps its master key in a file of the data dir instead, never in the database.
CREATE TABLE kms_master (
    id  INTEGER PRIMARY KEY,
    key_material {{blob}} NOT NULL
);
