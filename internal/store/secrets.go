package store

import (
	"context"
	"time"
)

// Kinds of secret records.
const (
	KindKMSKey   = "kms.key"
	KindKMSAlias = "kms.alias"
	KindSSMParam = "ssm.parameter"
	KindSecret   = "secretsmanager.secret"
)

// SecretRecord is one KMS key or alias, SSM parameter or Secrets Manager secret: the owning
// service's document (its metadata, versions and encrypted values; never a secret in the clear)
// under a revision that rises at every update.
type SecretRecord struct {
	Kind    string // one of the Kind* constants
	Account string
	Name    string // a key id, an alias name, a parameter name, a secret name
	Rev     int64  // 1 when created; an update names the rev it read
	Doc     []byte
	Updated time.Time
}

// Secrets stores the records of KMS, SSM Parameter Store and Secrets Manager, and the KMS
// master key of nodes sharing a database.
type Secrets interface {
	// MasterKey returns the master key stored for every node, storing candidate first when
	// there is none, so that nodes starting together agree on one.
	MasterKey(ctx context.Context, candidate []byte) ([]byte, error)
	// CreateSecretRecord stores r with Rev 1; ErrExists when (kind, account, name) is taken.
	CreateSecretRecord(ctx context.Context, r SecretRecord) error
	// SecretRecord reads a record; ErrNotFound when there is none.
	SecretRecord(ctx context.Context, kind, account, name string) (SecretRecord, error)
	// UpdateSecretRecord replaces the doc of a record still at r.Rev, which becomes r.Rev+1;
	// ErrConditionFailed when it changed or went meanwhile.
	UpdateSecretRecord(ctx context.Context, r SecretRecord) error
	// DeleteSecretRecord removes a record; ErrNotFound when there is none.
	DeleteSecretRecord(ctx context.Context, kind, account, name string) error
	// ListSecretRecords lists up to limit records of a kind in an account whose names start with
	// prefix and sort after after, by name (limit 0: all).
	ListSecretRecords(ctx context.Context, kind, account, prefix, after string, limit int) ([]SecretRecord, error)
}
