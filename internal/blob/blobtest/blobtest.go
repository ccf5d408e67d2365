// Package blobtest is the conformance suite every blob.Store implementation passes: blob.Files
// in internal/blob and postgres.Blobs in internal/store/postgres.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/blob"
)

// Store is what the suite tests: a blob store with its orphan sweep.
type Store interface {
	blob.Store
	Sweep(ctx context.Context, now time.Time, minAge time.Duration, live func(blob.Ref) (bool, error)) (int, error)
}

// Run runs the suite; open returns a new, empty store for each test.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"Empty", testEmpty},
		{"Ranges", testRanges},
		{"NotFound", testNotFound},
		{"ReadAfterDelete", testReadAfterDelete},
		{"Large", testLarge},
		{"ConcurrentPuts", testConcurrentPuts},
		{"Sweep", testSweep},
		{"CanceledPut", testCanceledPut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

func testRoundTrip(t *testing.T, s Store) {
	ctx := context.Background()
	data := bytes.Repeat([]byte("gureum"), 100000)
	ref, n, err := s.Put(ctx, bytes.NewReader(data))
	if err != nil || n != int64(len(data)) {
		t.Fatalf("Put = %q, %d, %v; want %d bytes", ref, n, err, len(data))
	}
	r, err := s.Open(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if r.Size() != int64(len(data)) {
		t.Errorf("Size() = %d; want %d", r.Size(), len(data))
	}
	part := make([]byte, 6)
	if _, err := r.ReadAt(part, 6*7); err != nil || string(part) != "gureum" {
		t.Errorf("ReadAt(42) = %q, %v; want gureum", part, err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("ReadAll: %d bytes, %v; want %d", len(got), err, len(data))
	}
	if err := s.Delete(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, ref); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open after Delete = %v; want ErrNotFound", err)
	}
	if err := s.Delete(ctx, ref); err != nil {
		t.Errorf("Delete of a deleted blob = %v; want nil", err)
	}
}

func testEmpty(t *testing.T, s Store) {
	ctx := context.Background()
	ref, n, err := s.Put(ctx, strings.NewReader(""))
	if err != nil || n != 0 {
		t.Fatalf("Put(empty) = %q, %d, %v", ref, n, err)
	}
	r, err := s.Open(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := io.ReadAll(r); err != nil || len(got) != 0 || r.Size() != 0 {
		t.Errorf("ReadAll(empty) = %q, %v, size %d", got, err, r.Size())
	}
}

// testRanges reads across 1 MiB boundaries (postgres.Blobs' chunks) with Seek and ReadAt.
func testRanges(t *testing.T, s Store) {
	ctx := context.Background()
	data := pattern(3<<20 + 17)
	ref, _, err := s.Put(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, rg := range []struct{ off, n int64 }{{0, 10}, {1<<20 - 5, 10}, {2<<20 - 1, 1<<20 + 2}, {3<<20 + 7, 10}, {100, 3 << 20}} {
		want := data[rg.off:min(rg.off+rg.n, int64(len(data)))]
		got := make([]byte, rg.n)
		n, err := r.ReadAt(got, rg.off)
		if !bytes.Equal(got[:n], want) || (n < len(got) && err != io.EOF) || (n == len(got) && err != nil) {
			t.Errorf("ReadAt(%d bytes at %d) = %d, %v; want %d bytes of the blob", rg.n, rg.off, n, err, len(want))
		}
		if _, err := r.Seek(rg.off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got, err = io.ReadAll(io.LimitReader(r, rg.n))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Seek(%d) and read %d = %d bytes, %v; want %d", rg.off, rg.n, len(got), err, len(want))
		}
	}
	if pos, err := r.Seek(-4, io.SeekEnd); err != nil || pos != int64(len(data))-4 {
		t.Errorf("Seek(-4, end) = %d, %v", pos, err)
	}
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, data[len(data)-4:]) {
		t.Errorf("read after Seek(-4, end) = %q, %v", got, err)
	}
	if n, err := r.ReadAt(make([]byte, 1), int64(len(data))); n != 0 || err != io.EOF {
		t.Errorf("ReadAt(size) = %d, %v; want 0, EOF", n, err)
	}
}

// testReadAfterDelete: a reader opened before Delete reads the whole blob (S3 deletes an
// overwritten object's blob while GETs may still stream it), as an unlinked file's does.
func testReadAfterDelete(t *testing.T, s Store) {
	ctx := context.Background()
	data := pattern(3<<20 + 5)
	ref, _, err := s.Put(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	head := make([]byte, 10)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, ref); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Open after Delete = %v; want ErrNotFound", err)
	}
	rest, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(append(head, rest...), data) {
		t.Errorf("reading on after Delete: %d bytes, %v; want the rest of %d", len(head)+len(rest), err, len(data))
	}
	if n, err := s.Sweep(ctx, time.Now().Add(time.Hour), time.Minute, func(blob.Ref) (bool, error) { return false, nil }); err != nil || n != 0 {
		t.Errorf("Sweep after Delete = %d, %v; want 0 (a deleted blob is no orphan)", n, err)
	}
}

func testNotFound(t *testing.T, s Store) {
	ctx := context.Background()
	for _, ref := range []blob.Ref{"0123456789abcdef0123456789abcdef", "../../etc/passwd", ""} {
		if _, err := s.Open(ctx, ref); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open(%q) = %v; want ErrNotFound", ref, err)
		}
		if err := s.Delete(ctx, ref); err != nil {
			t.Errorf("Delete(%q) = %v; want nil", ref, err)
		}
	}
}

// testLarge streams a blob bigger than any buffer in, and back out through a hash.
func testLarge(t *testing.T, s Store) {
	ctx := context.Background()
	const size = 40<<20 + 12345
	in := sha256.New()
	ref, n, err := s.Put(ctx, io.TeeReader(io.LimitReader(&counter{}, size), in))
	if err != nil || n != size {
		t.Fatalf("Put(%d bytes) = %d, %v", size, n, err)
	}
	r, err := s.Open(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := sha256.New()
	if n, err := io.CopyBuffer(out, r, make([]byte, 32<<10)); err != nil || n != size {
		t.Fatalf("read back %d bytes, %v; want %d", n, err, size)
	}
	if !bytes.Equal(in.Sum(nil), out.Sum(nil)) {
		t.Error("the blob read back differs from the one written")
	}
}

func testConcurrentPuts(t *testing.T, s Store) {
	ctx := context.Background()
	const writers = 8
	refs := make([]blob.Ref, writers)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref, _, err := s.Put(ctx, bytes.NewReader(bytes.Repeat([]byte{byte(i)}, 1<<20+i)))
			refs[i] = ref
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	seen := map[blob.Ref]bool{}
	for i, ref := range refs {
		if seen[ref] {
			t.Errorf("two Puts returned %q", ref)
		}
		seen[ref] = true
		r, err := s.Open(ctx, ref)
		if err != nil {
			t.Fatalf("Open(%d): %v", i, err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, bytes.Repeat([]byte{byte(i)}, 1<<20+i)) {
			t.Errorf("blob %d read back %d bytes, %v", i, len(got), err)
		}
	}
}

// testSweep: old blobs nothing refers to go; referenced ones and recent ones stay.
func testSweep(t *testing.T, s Store) {
	ctx := context.Background()
	keep, _, _ := s.Put(ctx, strings.NewReader("keep"))
	orphan, _, _ := s.Put(ctx, bytes.NewReader(pattern(1<<20+1)))
	if n, err := s.Sweep(ctx, time.Now(), time.Hour, func(blob.Ref) (bool, error) { return false, nil }); err != nil || n != 0 {
		t.Errorf("Sweep of recent blobs = %d, %v; want 0", n, err)
	}
	if _, err := s.Sweep(ctx, time.Now().Add(time.Hour), time.Minute, func(blob.Ref) (bool, error) { return false, errors.New("boom") }); err == nil {
		t.Error("Sweep with a failing live = nil error; want it")
	}
	n, err := s.Sweep(ctx, time.Now().Add(time.Hour), time.Minute, func(r blob.Ref) (bool, error) { return r == keep, nil })
	if err != nil || n < 1 {
		t.Fatalf("Sweep = %d, %v; want the orphan removed", n, err)
	}
	if _, err := s.Open(ctx, keep); err != nil {
		t.Errorf("kept blob: %v", err)
	}
	if _, err := s.Open(ctx, orphan); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("orphan still there: %v", err)
	}
}

func testCanceledPut(t *testing.T, s Store) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &cancelAfter{r: io.LimitReader(&counter{}, 4<<20), n: 2 << 20, cancel: cancel}
	if ref, _, err := s.Put(ctx, r); err == nil {
		t.Errorf("Put with its context canceled = %q; want an error", ref)
	}
	n, err := s.Sweep(context.Background(), time.Now().Add(time.Hour), 0, func(blob.Ref) (bool, error) { return false, nil })
	if err != nil || n != 0 {
		t.Errorf("Sweep after a canceled Put = %d, %v; want nothing left behind", n, err)
	}
}

// Bench measures Put and Get throughput of 8 MiB blobs of random bytes (as zips and most object
// data are: nothing for a store to compress).
func Bench(b *testing.B, s blob.Store) {
	data := make([]byte, 8<<20)
	rand.Read(data)
	ctx := context.Background()
	b.Run("Put", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			ref, _, err := s.Put(ctx, bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			s.Delete(ctx, ref)
			b.StartTimer()
		}
	})
	b.Run("Get", func(b *testing.B) {
		ref, _, err := s.Put(ctx, bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Delete(ctx, ref)
		buf := make([]byte, 32<<10)
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r, err := s.Open(ctx, ref)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.CopyBuffer(io.Discard, r, buf); err != nil {
				b.Fatal(err)
			}
			r.Close()
		}
	})
}

// pattern is n bytes that differ at every offset modulo 251.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// counter reads as an endless pattern.
type counter struct{ off int64 }

func (c *counter) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte((c.off + int64(i)) % 251)
	}
	c.off += int64(len(p))
	return len(p), nil
}

// cancelAfter cancels its context once n bytes have been read.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= n; c.n <= 0 {
		c.cancel()
	}
	return n, err
}
