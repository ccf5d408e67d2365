package iam

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

func TestKeysCache(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	keys := NewKeys(st, func() time.Time { return now })
	st.CreateAccount(ctx, store.Account{ID: "111111111111", Name: "a"})
	put := func() {
		if err := st.PutAccessKey(ctx, store.AccessKey{ID: "AKIAK", Secret: "s", Account: "111111111111", PrincipalARN: "arn:aws:iam::111111111111:root", UserID: "111111111111"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := keys.Credential(ctx, "AKIAK"); awserr.As(err).Kind != awserr.UnknownAccessKey {
		t.Fatalf("Credential(missing) = %v; want UnknownAccessKey", err)
	}
	put() // an unknown key is not remembered as unknown
	c, err := keys.Credential(ctx, "AKIAK")
	if err != nil || !c.Principal.Root || c.Principal.Account != "111111111111" {
		t.Fatalf("Credential = %+v, %v", c, err)
	}
	st.DeleteAccessKey(ctx, "AKIAK")
	if _, err := keys.Credential(ctx, "AKIAK"); err != nil {
		t.Errorf("Credential within the TTL after delete = %v; want the cached key", err)
	}
	now = now.Add(KeyCacheTTL + time.Millisecond)
	if _, err := keys.Credential(ctx, "AKIAK"); awserr.As(err).Kind != awserr.UnknownAccessKey {
		t.Errorf("Credential after the TTL = %v; want UnknownAccessKey", err)
	}
}
