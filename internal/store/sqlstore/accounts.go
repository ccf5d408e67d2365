package sqlstore

import (
	"context"

	"github.com/gureum/gureum/internal/store"
)

const accessKeyColumns = `id, secret, session_token, account_id, principal_arn, user_id, expires_at, created_at`

var accountWriteSQL = map[string]string{
	"createAccount": `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)`,
	"putAccessKey": `INSERT INTO access_keys (` + accessKeyColumns + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
	"deleteAccessKey": `DELETE FROM access_keys WHERE id = ?`,
}

var accountReadSQL = map[string]string{
	"account":        `SELECT id, name, created_at FROM accounts WHERE id = ?`,
	"accessKey":      `SELECT ` + accessKeyColumns + ` FROM access_keys WHERE id = ?`,
	"listAccessKeys": `SELECT ` + accessKeyColumns + ` FROM access_keys WHERE account_id = ? ORDER BY id`,
}

var _ store.Accounts = (*Store)(nil)

// CreateAccount stores a new account.
func (s *Store) CreateAccount(ctx context.Context, a store.Account) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.wst(ctx, tx, "createAccount").ExecContext(ctx, a.ID, a.Name, nanos(a.Created))
		return s.fault("CreateAccount", err)
	})
}

// Account reads one account.
func (s *Store) Account(ctx context.Context, id string) (store.Account, error) {
	var a store.Account
	var created int64
	if err := s.rs["account"].QueryRowContext(ctx, id).Scan(&a.ID, &a.Name, &created); err != nil {
		return store.Account{}, s.fault("Account", err)
	}
	a.Created = fromNanos(created)
	return a, nil
}

// PutAccessKey stores a new access key.
func (s *Store) PutAccessKey(ctx context.Context, k store.AccessKey) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.wst(ctx, tx, "putAccessKey").ExecContext(ctx, k.ID, k.Secret, k.SessionToken, k.Account, k.PrincipalARN,
			k.UserID, nanos(k.Expires), nanos(k.Created))
		return s.fault("PutAccessKey", err)
	})
}

func scanAccessKey(row scanner) (store.AccessKey, error) {
	var k store.AccessKey
	var expires, created int64
	if err := row.Scan(&k.ID, &k.Secret, &k.SessionToken, &k.Account, &k.PrincipalARN, &k.UserID, &expires, &created); err != nil {
		return store.AccessKey{}, err
	}
	k.Expires, k.Created = fromNanos(expires), fromNanos(created)
	return k, nil
}

// AccessKey reads one access key (every signed request looks its key up: the statement is prepared).
func (s *Store) AccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	k, err := scanAccessKey(s.rs["accessKey"].QueryRowContext(ctx, id))
	return k, s.fault("AccessKey", err)
}

// DeleteAccessKey removes an access key.
func (s *Store) DeleteAccessKey(ctx context.Context, id string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.wst(ctx, tx, "deleteAccessKey").ExecContext(ctx, id)
		if err != nil {
			return s.fault("DeleteAccessKey", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: "accounts.DeleteAccessKey", Kind: store.ErrNotFound}
		}
		return nil
	})
}

// ListAccessKeys lists an account's access keys by id.
func (s *Store) ListAccessKeys(ctx context.Context, account string) ([]store.AccessKey, error) {
	rows, err := s.rs["listAccessKeys"].QueryContext(ctx, account)
	out, err := collect(rows, err, 0, scanAccessKey)
	return out, s.fault("ListAccessKeys", err)
}
