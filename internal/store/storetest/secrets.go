package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gureum/gureum/internal/store"
)

// secretTests are the store.Secrets part of the suite.
var secretTests = []suiteTest{
	{"Records", testSecretRecords},
	{"ListRecords", testListSecretRecords},
	{"MasterKey", testMasterKey},
}

func testSecretRecords(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	r := store.SecretRecord{Kind: store.KindSSMParam, Account: "111111111111", Name: "/app/db", Doc: []byte(`{"v":1}`), Updated: epoch}
	if err := s.CreateSecretRecord(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSecretRecord(ctx, r); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateSecretRecord(again) = %v; want ErrExists", err)
	}
	got, err := s.SecretRecord(ctx, r.Kind, r.Account, r.Name)
	if err != nil || got.Rev != 1 || !bytes.Equal(got.Doc, r.Doc) || !got.Updated.Equal(epoch) {
		t.Fatalf("SecretRecord = %+v, %v; want rev 1 with the doc", got, err)
	}
	if _, err := s.SecretRecord(ctx, store.KindSecret, r.Account, r.Name); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SecretRecord(other kind) = %v; want ErrNotFound", err)
	}
	got.Doc = []byte(`{"v":2}`)
	if err := s.UpdateSecretRecord(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateSecretRecord(ctx, got); !errors.Is(err, store.ErrConditionFailed) {
		t.Errorf("UpdateSecretRecord(stale rev) = %v; want ErrConditionFailed", err)
	}
	if now, _ := s.SecretRecord(ctx, r.Kind, r.Account, r.Name); now.Rev != 2 || string(now.Doc) != `{"v":2}` {
		t.Errorf("after update = %+v; want rev 2", now)
	}
	if err := s.DeleteSecretRecord(ctx, r.Kind, r.Account, r.Name); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSecretRecord(ctx, r.Kind, r.Account, r.Name); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteSecretRecord(gone) = %v; want ErrNotFound", err)
	}
}

func testListSecretRecords(t *testing.T, open Opener) {
	s := mustOpen(t, open)
	ctx := context.Background()
	for i := range 12 {
		name := fmt.Sprintf("/a/%02d", i)
		if i%3 == 0 {
			name = fmt.Sprintf("/b/%02d", i)
		}
		if err := s.CreateSecretRecord(ctx, store.SecretRecord{Kind: store.KindSSMParam, Account: "1", Name: name, Doc: []byte("{}"), Updated: epoch}); err != nil {
			t.Fatal(err)
		}
	}
	s.CreateSecretRecord(ctx, store.SecretRecord{Kind: store.KindSSMParam, Account: "2", Name: "/a/x", Doc: []byte("{}"), Updated: epoch})
	all, err := s.ListSecretRecords(ctx, store.KindSSMParam, "1", "", "", 0)
	if err != nil || len(all) != 12 {
		t.Fatalf("ListSecretRecords(all) = %d, %v; want 12", len(all), err)
	}
	page, _ := s.ListSecretRecords(ctx, store.KindSSMParam, "1", "/a/", "", 5)
	if len(page) != 5 || page[0].Name != "/a/01" || page[4].Name != "/a/07" {
		t.Fatalf("first page = %v", names(page))
	}
	rest, _ := s.ListSecretRecords(ctx, store.KindSSMParam, "1", "/a/", page[4].Name, 5)
	if len(rest) != 3 || rest[0].Name != "/a/08" {
		t.Errorf("second page = %v; want /a/08 /a/10 /a/11", names(rest))
	}
}

func names(rs []store.SecretRecord) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

func testMasterKey(t *testing.T, open Opener) {
	a, b := nodes(t, open)
	ctx := context.Background()
	k1, err := a.MasterKey(ctx, bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	k2, err := b.MasterKey(ctx, bytes.Repeat([]byte{2}, 32))
	if err != nil || !bytes.Equal(k1, k2) || k1[0] != 1 {
		t.Errorf("MasterKey on two nodes = %x, %x (%v); want the first one's", k1, k2, err)
	}
}
