package s3_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestOrphanSweep leaves a data file no metadata names (what a crash between a blob's write and
// its commit leaves) and checks that a restart removes it and keeps the object's data.
func TestOrphanSweep(t *testing.T) {
	dir := t.TempDir()
	srv := gureumtest.Start(t, gureumtest.Options{DataDir: dir})
	c := client(srv, true)
	mustBucket(t, c, "sweep")
	put(t, c, "sweep", "kept", "data that stays")
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	orphan := filepath.Join(dir, "blobs", "ab", "ab0123456789abcdef0123456789abcd")
	os.MkdirAll(filepath.Dir(orphan), 0o700)
	if err := os.WriteFile(orphan, []byte("orphan"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	filepath.WalkDir(filepath.Join(dir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	srv = gureumtest.Start(t, gureumtest.Options{DataDir: dir})
	c = client(srv, true)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(orphan); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the orphaned blob is still there 10s after the restart")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := get(t, c, "sweep", "kept"); got != "data that stays" {
		t.Errorf("GetObject after the sweep = %q", got)
	}
}

var _ = s3.NewFromConfig
