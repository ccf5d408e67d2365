package blob

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSweepTemporaryFiles: Files' own leftover of a crash, a temporary file, goes with the orphans.
func TestSweepTemporaryFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f, _ := NewFiles(dir)
	keep, _, _ := f.Put(ctx, strings.NewReader("keep"))
	orphan, _, _ := f.Put(ctx, strings.NewReader("orphan"))
	os.WriteFile(filepath.Join(dir, "tmp", "put-123"), []byte("half"), 0o600)
	n, err := f.Sweep(ctx, time.Now().Add(time.Hour), time.Minute, func(r Ref) (bool, error) { return r == keep, nil })
	if err != nil || n != 2 {
		t.Fatalf("Sweep = %d, %v; want 2", n, err)
	}
	if _, err := f.Open(ctx, keep); err != nil {
		t.Errorf("kept blob: %v", err)
	}
	if _, err := f.Open(ctx, orphan); !errors.Is(err, ErrNotFound) {
		t.Errorf("orphan still there: %v", err)
	}
}
