package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/store"
)

// RootCredentials are the first account's root access key.
type RootCredentials struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
}

const credentialsFile = "root-credentials.json"

// bootstrap makes sure the first account exists and that its root key is the configured one (from
// the environment), the one saved in the data dir, or a new one that is saved (mode 0600) and
// printed once.
func bootstrap(ctx context.Context, cfg Config, st store.Store) (RootCredentials, error) {
	now := cfg.Now()
	if err := st.CreateAccount(ctx, store.Account{ID: cfg.AccountID, Name: "root", Created: now}); err != nil && !errors.Is(err, store.ErrExists) {
		return RootCredentials{}, fmt.Errorf("create account: %w", err)
	}
	path := filepath.Join(cfg.DataDir, credentialsFile)
	root, fromFile, err := rootCredentials(cfg, path)
	if err != nil {
		return RootCredentials{}, err
	}
	if err := ensureKey(ctx, st, cfg, root); err != nil {
		return RootCredentials{}, err
	}
	if cfg.RootAccessKeyID == "" && !fromFile {
		b, _ := json.MarshalIndent(root, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
			return RootCredentials{}, fmt.Errorf("save root credentials: %w", err)
		}
		fmt.Fprintf(cfg.Stdout, "Generated root credentials for account %s (saved in %s):\n"+
			"  export AWS_ACCESS_KEY_ID=%s\n  export AWS_SECRET_ACCESS_KEY=%s\n  export AWS_DEFAULT_REGION=%s\n",
			cfg.AccountID, path, root.AccessKeyID, root.SecretAccessKey, cfg.Region)
	}
	return root, nil
}

func rootCredentials(cfg Config, path string) (RootCredentials, bool, error) {
	if cfg.RootAccessKeyID != "" {
		if cfg.RootSecretAccessKey == "" {
			return RootCredentials{}, false, errors.New("GUREUM_ROOT_ACCESS_KEY_ID is set but GUREUM_ROOT_SECRET_ACCESS_KEY is not")
		}
		return RootCredentials{cfg.RootAccessKeyID, cfg.RootSecretAccessKey}, false, nil
	}
	b, err := os.ReadFile(path)
	if err == nil {
		var rc RootCredentials
		if err := json.Unmarshal(b, &rc); err != nil || rc.AccessKeyID == "" || rc.SecretAccessKey == "" {
			return RootCredentials{}, false, fmt.Errorf("%s is damaged; remove it to generate new root credentials", path)
		}
		return rc, true, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return RootCredentials{}, false, err
	}
	return RootCredentials{AccessKeyID: iam.NewAccessKeyID("AKIA"), SecretAccessKey: iam.NewSecret()}, false, nil
}

// ensureKey stores the root key, replacing a stored key of the same id whose secret differs.
func ensureKey(ctx context.Context, st store.Store, cfg Config, root RootCredentials) error {
	existing, err := st.AccessKey(ctx, root.AccessKeyID)
	switch {
	case err == nil && existing.Secret == root.SecretAccessKey && existing.Account == cfg.AccountID:
		return nil
	case err == nil:
		if err := st.DeleteAccessKey(ctx, root.AccessKeyID); err != nil {
			return fmt.Errorf("replace root key: %w", err)
		}
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("read root key: %w", err)
	}
	err = st.PutAccessKey(ctx, store.AccessKey{
		ID: root.AccessKeyID, Secret: root.SecretAccessKey, Account: cfg.AccountID,
		PrincipalARN: "arn:aws:iam::" + cfg.AccountID + ":root", UserID: cfg.AccountID, Created: cfg.Now(),
	})
	if err != nil {
		return fmt.Errorf("store root key: %w", err)
	}
	return nil
}
