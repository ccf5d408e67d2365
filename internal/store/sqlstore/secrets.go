package sqlstore

import (
	"context"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// Secrets implements store.Secrets: the secret_records table, updated under an optimistic lock
// on rev, and the kms_master row.
type Secrets struct {
	base
	st struct {
		create, update, remove, putMaster *stmt
		get, list, master                 *stmt
	}
}

const secretColumns = `kind, account_id, name, rev, doc, updated_at`

func newSecrets(b base) *Secrets {
	s := &Secrets{base: b.of("secrets")}
	w, r := s.stmts.w, s.stmts.r
	s.st.create = w("create", `INSERT INTO secret_records (`+secretColumns+`) VALUES (?, ?, ?, 1, ?, ?)`)
	s.st.update = w("update", `UPDATE secret_records SET rev = rev + 1, doc = ?, updated_at = ?
		WHERE kind = ? AND account_id = ? AND name = ? AND rev = ?`)
	s.st.remove = w("remove", `DELETE FROM secret_records WHERE kind = ? AND account_id = ? AND name = ?`)
	s.st.putMaster = w("putMaster", `INSERT INTO kms_master (id, key_material) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`)
	s.st.get = r("get", `SELECT `+secretColumns+` FROM secret_records WHERE kind = ? AND account_id = ? AND name = ?`)
	s.st.list = r("list", `SELECT `+secretColumns+` FROM secret_records
		WHERE kind = ? AND account_id = ? AND name > ? ORDER BY name LIMIT ?`)
	s.st.master = r("master", `SELECT key_material FROM kms_master WHERE id = 1`)
	return s
}

var _ store.Secrets = (*Secrets)(nil)

func scanSecret(row scanner) (store.SecretRecord, error) {
	var x store.SecretRecord
	var updated int64
	err := row.Scan(&x.Kind, &x.Account, &x.Name, &x.Rev, &x.Doc, &updated)
	x.Updated = fromNanos(updated)
	return x, err
}

// MasterKey returns the stored master key, storing candidate when there is none.
func (s *Secrets) MasterKey(ctx context.Context, candidate []byte) ([]byte, error) {
	err := s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.putMaster.in(ctx, tx).ExecContext(ctx, candidate)
		return s.fault("MasterKey", err)
	})
	if err != nil {
		return nil, err
	}
	var key []byte
	err = s.st.master.ps.QueryRowContext(ctx).Scan(&key)
	return key, s.fault("MasterKey", err)
}

// CreateSecretRecord stores a new record at rev 1.
func (s *Secrets) CreateSecretRecord(ctx context.Context, r store.SecretRecord) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.create.in(ctx, tx).ExecContext(ctx, r.Kind, r.Account, r.Name, r.Doc, nanos(r.Updated))
		return s.fault("CreateSecretRecord", err)
	})
}

// SecretRecord reads one record.
func (s *Secrets) SecretRecord(ctx context.Context, kind, account, name string) (store.SecretRecord, error) {
	x, err := scanSecret(s.st.get.ps.QueryRowContext(ctx, kind, account, name))
	return x, s.fault("SecretRecord", err)
}

// UpdateSecretRecord replaces a record's doc if it is still at r.Rev.
func (s *Secrets) UpdateSecretRecord(ctx context.Context, r store.SecretRecord) error {
	return s.change(ctx, "UpdateSecretRecord", store.ErrConditionFailed, s.st.update, r.Doc, nanos(r.Updated), r.Kind, r.Account, r.Name, r.Rev)
}

// DeleteSecretRecord removes a record.
func (s *Secrets) DeleteSecretRecord(ctx context.Context, kind, account, name string) error {
	return s.change(ctx, "DeleteSecretRecord", store.ErrNotFound, s.st.remove, kind, account, name)
}

// change runs one write statement; none changed is the error kind given.
func (s *Secrets) change(ctx context.Context, op string, none error, st *stmt, args ...any) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := st.in(ctx, tx).ExecContext(ctx, args...)
		if err != nil {
			return s.fault(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: s.domain + "." + op, Kind: none}
		}
		return nil
	})
}

// ListSecretRecords lists records by name after after, those starting with prefix. The prefix
// is matched here rather than in SQL, where PostgreSQL's collation could order names unlike a
// byte comparison.
func (s *Secrets) ListSecretRecords(ctx context.Context, kind, account, prefix, after string, limit int) ([]store.SecretRecord, error) {
	const page = 500
	var out []store.SecretRecord
	for {
		rows, err := s.st.list.ps.QueryContext(ctx, kind, account, after, page)
		got, err := collect(rows, err, 0, scanSecret)
		if err != nil {
			return nil, s.fault("ListSecretRecords", err)
		}
		for _, r := range got {
			if strings.HasPrefix(r.Name, prefix) {
				out = append(out, r)
				if limit > 0 && len(out) == limit {
					return out, nil
				}
			}
		}
		if len(got) < page {
			return out, nil
		}
		after = got[len(got)-1].Name
	}
}
