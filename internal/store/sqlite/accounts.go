package sqlite

import (
	"context"
	"database/sql"

	"github.com/gureum/gureum/internal/store"
)

// CreateAccount stores a new account.
func (db *DB) CreateAccount(ctx context.Context, a store.Account) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)`, a.ID, a.Name, store.UnixNanos(a.Created))
		return fault("sqlite.CreateAccount", err)
	})
}

// Account reads one account.
func (db *DB) Account(ctx context.Context, id string) (store.Account, error) {
	var a store.Account
	var created int64
	err := db.r.QueryRowContext(ctx, `SELECT id, name, created_at FROM accounts WHERE id = ?`, id).Scan(&a.ID, &a.Name, &created)
	if err != nil {
		return store.Account{}, fault("sqlite.Account", err)
	}
	a.Created = store.FromUnixNanos(created)
	return a, nil
}

// PutAccessKey stores a new access key.
func (db *DB) PutAccessKey(ctx context.Context, k store.AccessKey) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO access_keys (id, secret, session_token, account_id, principal_arn, user_id, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, k.ID, k.Secret, k.SessionToken, k.Account, k.PrincipalARN, k.UserID, store.UnixNanos(k.Expires), store.UnixNanos(k.Created))
		return fault("sqlite.PutAccessKey", err)
	})
}

const accessKeyColumns = `id, secret, session_token, account_id, principal_arn, user_id, expires_at, created_at`

func scanAccessKey(row interface{ Scan(...any) error }) (store.AccessKey, error) {
	var k store.AccessKey
	var expires, created int64
	if err := row.Scan(&k.ID, &k.Secret, &k.SessionToken, &k.Account, &k.PrincipalARN, &k.UserID, &expires, &created); err != nil {
		return store.AccessKey{}, err
	}
	k.Expires, k.Created = store.FromUnixNanos(expires), store.FromUnixNanos(created)
	return k, nil
}

// AccessKey reads one access key.
func (db *DB) AccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	k, err := scanAccessKey(db.getAccessKey.QueryRowContext(ctx, id))
	return k, fault("sqlite.AccessKey", err)
}

// DeleteAccessKey removes an access key.
func (db *DB) DeleteAccessKey(ctx context.Context, id string) error {
	return db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM access_keys WHERE id = ?`, id)
		if err != nil {
			return fault("sqlite.DeleteAccessKey", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: "sqlite.DeleteAccessKey", Kind: store.ErrNotFound}
		}
		return nil
	})
}

// ListAccessKeys lists an account's access keys by id.
func (db *DB) ListAccessKeys(ctx context.Context, account string) ([]store.AccessKey, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+accessKeyColumns+` FROM access_keys WHERE account_id = ? ORDER BY id`, account)
	if err != nil {
		return nil, fault("sqlite.ListAccessKeys", err)
	}
	defer rows.Close()
	var out []store.AccessKey
	for rows.Next() {
		k, err := scanAccessKey(rows)
		if err != nil {
			return nil, fault("sqlite.ListAccessKeys", err)
		}
		out = append(out, k)
	}
	return out, fault("sqlite.ListAccessKeys", rows.Err())
}
