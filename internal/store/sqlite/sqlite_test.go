package sqlite

import (
	"context"
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
