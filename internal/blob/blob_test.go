package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFilesRoundTrip(t *testing.T) {
	ctx := context.Background()
	f, err := NewFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("gureum"), 100000)
	ref, n, err := f.Put(ctx, bytes.NewReader(data))
	if err != nil || n != int64(len(data)) {
		t.Fatalf("Put = %q, %d, %v", ref, n, err)
	}
	r, err := f.Open(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if r.Size() != int64(len(data)) {
		t.Errorf("Size() = %d; want %d", r.Size(), len(data))
	}
	part := make([]byte, 6)
	if _, err := r.ReadAt(part, 6*7); err != nil || string(part) != "gureum" {
		t.Errorf("ReadAt = %q, %v", part, err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("ReadAll: %d bytes, %v", len(got), err)
	}
	if err := f.Delete(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Open(ctx, ref); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open after Delete = %v; want ErrNotFound", err)
	}
	if _, err := f.Open(ctx, "../../etc/passwd"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(path) = %v; want ErrNotFound", err)
	}
}

func TestSweep(t *testing.T) {
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
