package iam

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlite"
)

func TestAuthorizeDefaultDeny(t *testing.T) {
	root := request.RootPrincipal("111111111111", "AKIA")
	user := &request.Principal{Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/bob"}
	tests := []struct {
		name     string
		p        *request.Principal
		resource string
		allowed  bool
	}{
		{"root, any resource", root, "*", true},
		{"root, own queue", root, "arn:aws:sqs:us-east-1:111111111111:q", true},
		{"root, bucket", root, "arn:aws:s3:::bucket", true},
		{"root, other account", root, "arn:aws:sqs:us-east-1:222222222222:q", false},
		{"root, not an arn", root, "queue", false},
		{"non-root user", user, "*", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Authorizer{}.Authorize(context.Background(), tt.p, []service.Check{{Action: "sqs:SendMessage", Resource: tt.resource}}, nil)
			if tt.allowed && err != nil {
				t.Errorf("Authorize = %v; want allowed", err)
			}
			if !tt.allowed && (err == nil || awserr.As(err).Kind != awserr.AccessDenied) {
				t.Errorf("Authorize = %v; want AccessDenied", err)
			}
		})
	}
}

// TestKeysCache checks that found keys are cached for KeyCacheTTL and unknown keys are not.
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
