package sqlstore

import (
	"context"

	"github.com/gureum/gureum/internal/store"
)

const accessKeyColumns = `id, secret, session_token, account_id, principal_arn, user_id, expires_at, created_at`

// Accounts implements store.Accounts: accounts and their access keys.
type Accounts struct {
	base
	st struct {
		createAccount, putAccessKey, deleteAccessKey     *stmt
		account, accessKey, listAccessKeys, listAccounts *stmt
	}
}

var _ store.Accounts = (*Accounts)(nil)

func newAccounts(b base) *Accounts {
	s := &Accounts{base: b.of("accounts")}
	w, r := s.stmts.w, s.stmts.r
	s.st.createAccount = w("createAccount", `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)`)
	s.st.putAccessKey = w("putAccessKey", `INSERT INTO access_keys (`+accessKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	s.st.deleteAccessKey = w("deleteAccessKey", `DELETE FROM access_keys WHERE id = ?`)
	s.st.account = r("account", `SELECT id, name, created_at FROM accounts WHERE id = ?`)
	s.st.listAccounts = r("listAccounts", `SELECT id, name, created_at FROM accounts ORDER BY id`)
	s.st.accessKey = r("accessKey", `SELECT `+accessKeyColumns+` FROM access_keys WHERE id = ?`)
	s.st.listAccessKeys = r("listAccessKeys", `SELECT `+accessKeyColumns+` FROM access_keys WHERE account_id = ? ORDER BY id`)
	return s
}

// CreateAccount stores a new account.
func (s *Accounts) CreateAccount(ctx context.Context, a store.Account) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.createAccount.in(ctx, tx).ExecContext(ctx, a.ID, a.Name, nanos(a.Created))
		return s.fault("CreateAccount", err)
	})
}

// Account reads one account.
func (s *Accounts) Account(ctx context.Context, id string) (store.Account, error) {
	var a store.Account
	var created int64
	if err := s.st.account.ps.QueryRowContext(ctx, id).Scan(&a.ID, &a.Name, &created); err != nil {
		return store.Account{}, s.fault("Account", err)
	}
	a.Created = fromNanos(created)
	return a, nil
}

// ListAccounts lists every account by id.
func (s *Accounts) ListAccounts(ctx context.Context) ([]store.Account, error) {
	rows, err := s.st.listAccounts.ps.QueryContext(ctx)
	out, err := collect(rows, err, 0, func(row scanner) (store.Account, error) {
		var a store.Account
		var created int64
		err := row.Scan(&a.ID, &a.Name, &created)
		a.Created = fromNanos(created)
		return a, err
	})
	return out, s.fault("ListAccounts", err)
}

// PutAccessKey stores a new access key.
func (s *Accounts) PutAccessKey(ctx context.Context, k store.AccessKey) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.putAccessKey.in(ctx, tx).ExecContext(ctx, k.ID, k.Secret, k.SessionToken, k.Account, k.PrincipalARN,
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
func (s *Accounts) AccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	k, err := scanAccessKey(s.st.accessKey.ps.QueryRowContext(ctx, id))
	return k, s.fault("AccessKey", err)
}

// DeleteAccessKey removes an access key.
func (s *Accounts) DeleteAccessKey(ctx context.Context, id string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.deleteAccessKey.in(ctx, tx).ExecContext(ctx, id)
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
func (s *Accounts) ListAccessKeys(ctx context.Context, account string) ([]store.AccessKey, error) {
	rows, err := s.st.listAccessKeys.ps.QueryContext(ctx, account)
	out, err := collect(rows, err, 0, scanAccessKey)
	return out, s.fault("ListAccessKeys", err)
}
