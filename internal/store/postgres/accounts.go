package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/gureum/gureum/internal/store"
)

// CreateAccount stores a new account.
func (db *DB) CreateAccount(ctx context.Context, a store.Account) error {
	return db.Write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3)`, a.ID, a.Name, store.UnixNanos(a.Created))
		return fault("postgres.CreateAccount", err)
	})
}

// Account reads one account.
func (db *DB) Account(ctx context.Context, id string) (store.Account, error) {
	var a store.Account
	var created int64
	err := db.pool.QueryRow(ctx, `SELECT id, name, created_at FROM accounts WHERE id = $1`, id).Scan(&a.ID, &a.Name, &created)
	if err != nil {
		return store.Account{}, fault("postgres.Account", err)
	}
	a.Created = store.FromUnixNanos(created)
	return a, nil
}

// PutAccessKey stores a new access key.
func (db *DB) PutAccessKey(ctx context.Context, k store.AccessKey) error {
	return db.Write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO access_keys (id, secret, session_token, account_id, principal_arn, user_id, expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, k.ID, k.Secret, k.SessionToken, k.Account, k.PrincipalARN, k.UserID, store.UnixNanos(k.Expires), store.UnixNanos(k.Created))
		return fault("postgres.PutAccessKey", err)
	})
}

const accessKeyColumns = `id, secret, session_token, account_id, principal_arn, user_id, expires_at, created_at`

func scanAccessKey(row pgx.Row) (store.AccessKey, error) {
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
	k, err := scanAccessKey(db.pool.QueryRow(ctx, `SELECT `+accessKeyColumns+` FROM access_keys WHERE id = $1`, id))
	return k, fault("postgres.AccessKey", err)
}

// DeleteAccessKey removes an access key.
func (db *DB) DeleteAccessKey(ctx context.Context, id string) error {
	return db.Write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM access_keys WHERE id = $1`, id)
		if err != nil {
			return fault("postgres.DeleteAccessKey", err)
		}
		if tag.RowsAffected() == 0 {
			return &store.Error{Op: "postgres.DeleteAccessKey", Kind: store.ErrNotFound}
		}
		return nil
	})
}

// ListAccessKeys lists an account's access keys by id.
func (db *DB) ListAccessKeys(ctx context.Context, account string) ([]store.AccessKey, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+accessKeyColumns+` FROM access_keys WHERE account_id = $1 ORDER BY id`, account)
	if err != nil {
		return nil, fault("postgres.ListAccessKeys", err)
	}
	defer rows.Close()
	var out []store.AccessKey
	for rows.Next() {
		k, err := scanAccessKey(rows)
		if err != nil {
			return nil, fault("postgres.ListAccessKeys", err)
		}
		out = append(out, k)
	}
	return out, fault("postgres.ListAccessKeys", rows.Err())
}
