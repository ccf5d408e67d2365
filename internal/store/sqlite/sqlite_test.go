package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "gureum.db")
		return func() (store.Store, error) { return Open(context.Background(), path, Options{}) }
	})
}

func TestConformanceWithoutGroupCommit(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "gureum.db")
		return func() (store.Store, error) { return Open(context.Background(), path, Options{MaxBatch: 1}) }
	})
}

// TestDurabilitySettings checks that the writer runs in WAL mode with synchronous=FULL, so a commit
// is fsynced before it returns.
func TestDurabilitySettings(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "gureum.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	var sync int
	err = db.Write(context.Background(), func(tx *sql.Tx) error {
		if err := tx.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
			return err
		}
		return tx.QueryRow("PRAGMA synchronous").Scan(&sync)
	})
	if err != nil || mode != "wal" || sync != 2 {
		t.Errorf("journal_mode=%q synchronous=%d (%v); want wal and 2 (FULL)", mode, sync, err)
	}
	var readOnly int
	if err := db.r.QueryRow("PRAGMA query_only").Scan(&readOnly); err != nil || readOnly != 1 {
		t.Errorf("reader query_only=%d (%v); want 1", readOnly, err)
	}
}

// TestPanickingWrite checks that a write that panics fails alone and the writer carries on.
func TestPanickingWrite(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "gureum.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	err = db.Write(ctx, func(*sql.Tx) error { panic("bug") })
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Write(panics) = %v; want ErrUnavailable", err)
	}
	if err := db.CreateAccount(ctx, store.Account{ID: "123456789012", Name: "after"}); err != nil {
		t.Errorf("write after a panicking write = %v", err)
	}
}
