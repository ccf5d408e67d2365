package kms

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/service"
	"github.com/gureum/gureum/internal/store/sqlite"
)

// newClocked returns KMS over a real SQLite store with a fake clock and a file master key.
func newClocked(t testing.TB) (*Service, *background.FakeClock, context.Context, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := background.NewFakeClock(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	ctx := request.With(context.Background(), &request.Info{Principal: request.RootPrincipal("000000000000", "AKIA")})
	master := filepath.Join(dir, "kms-master.key")
	return New(Deps{Env: service.Env{Region: "us-east-1", Clock: clock}, Store: st, Master: FileMasterKey(master)}), clock, ctx, master
}

func TestDeletionWindowEnds(t *testing.T) {
	s, clock, ctx, _ := newClocked(t)
	k, err := s.CreateKey(ctx, &CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	days := int32(7)
	if _, err := s.ScheduleKeyDeletion(ctx, &ScheduleKeyDeletionInput{KeyId: k.KeyMetadata.KeyId, PendingWindowInDays: &days}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(7*24*time.Hour - time.Second)
	if _, err := s.DescribeKey(ctx, &KeyInput{KeyId: k.KeyMetadata.KeyId}); err != nil {
		t.Fatalf("DescribeKey before the window ends = %v", err)
	}
	if l, _ := s.ListKeys(ctx, &ListInput{}); len(l.Keys) != 1 {
		t.Errorf("ListKeys before the window ends = %+v", l.Keys)
	}
	clock.Advance(time.Second)
	if l, _ := s.ListKeys(ctx, &ListInput{}); len(l.Keys) != 0 {
		t.Errorf("ListKeys after the window = %+v; want none", l.Keys)
	}
	if _, err := s.DescribeKey(ctx, &KeyInput{KeyId: k.KeyMetadata.KeyId}); !isNotFound(err) {
		t.Errorf("DescribeKey after the window = %v; want NotFoundException", err)
	}
}

func TestAutomaticRotation(t *testing.T) {
	s, clock, ctx, master := newClocked(t)
	k, _ := s.CreateKey(ctx, &CreateKeyInput{})
	id := k.KeyMetadata.KeyId
	old, _ := s.Encrypt(ctx, &EncryptInput{KeyId: id, Plaintext: []byte("v1")})
	period := int32(90)
	if _, err := s.EnableKeyRotation(ctx, &EnableKeyRotationInput{KeyId: id, RotationPeriodInDays: &period}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(91 * 24 * time.Hour)
	newer, err := s.Encrypt(ctx, &EncryptInput{KeyId: id, Plaintext: []byte("v2")})
	if err != nil {
		t.Fatal(err)
	}
	ho, _ := parseBlob(old.CiphertextBlob)
	hn, _ := parseBlob(newer.CiphertextBlob)
	if ho.Version != 1 || hn.Version != 2 {
		t.Errorf("versions = %d, %d; want 1 then 2 after the rotation date", ho.Version, hn.Version)
	}
	if d, err := s.Decrypt(ctx, &DecryptInput{CiphertextBlob: old.CiphertextBlob}); err != nil || string(d.Plaintext) != "v1" {
		t.Errorf("Decrypt(v1 blob) after rotation = %v, %v", d, err)
	}
	fi, err := os.Stat(master)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != 32 {
		t.Errorf("master key file = %v, %v; want 32 bytes, mode 0600", fi, err)
	}
}
